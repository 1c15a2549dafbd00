package store.redo;

/**
 * The redo process is unusable: it did not start, exited or crashed (a PANIC in redo kills it),
 * broke the protocol, or stopped answering. The process has been killed; its owner starts a new one.
 * Every request in flight is lost with it.
 */
public final class RedoProcessFailed extends RedoException {
  public RedoProcessFailed(String message, Throwable cause) {
    super(message, cause);
  }
}
