package wire.pg;

/**
 * A checked exception carrying one {@link ProtocolError}. Checked on purpose: every caller of a
 * decoder must decide what a bad peer does to its connection.
 */
public final class ProtocolException extends Exception {
  private final ProtocolError error;

  public ProtocolException(ProtocolError error) {
    super(error.message(), null, false, false);   // expected failures need no stack trace
    this.error = error;
  }

  public ProtocolError error() {
    return error;
  }

  /** The ErrorResponse a server sends before closing the connection. */
  public ErrorResponse toErrorResponse() {
    return new ErrorResponse(ErrorFields.fatal(error.sqlState(), error.message()));
  }
}
