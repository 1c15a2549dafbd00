package store.remote;

/**
 * An object-store call that failed for good: refused by the server (a 4xx other than 404), or
 * still failing after every retry. The message names the operation, bucket and key.
 */
public final class ObjectStoreException extends RuntimeException {
  private final boolean transientCause;

  ObjectStoreException(String message, Throwable cause, boolean transientCause) {
    super(message, cause);
    this.transientCause = transientCause;
  }

  /** True when the call gave up after retries on errors that may pass (server down, 5xx, timeouts). */
  public boolean retriesExhausted() {
    return transientCause;
  }
}
