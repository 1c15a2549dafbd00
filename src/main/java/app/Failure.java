package app;

/**
 * A failure a user caused or must act on, with a message that names the thing and the value.
 * Commands throw it; {@link Main} prints the message as one line and exits 1.
 */
public class Failure extends RuntimeException {
  public Failure(String message) {
    super(message);
  }

  public Failure(String message, Throwable cause) {
    super(message, cause);
  }

  /** One line for stderr: our own message, or the cause chain of an unexpected exception. */
  static String describe(Throwable e) {
    if (e instanceof Failure) return e.getMessage();
    StringBuilder line = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (line.length() > 0) line.append(": ");
      line.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
      if (t.getCause() == t) break;
    }
    return line.toString().replace('\n', ' ');
  }
}
