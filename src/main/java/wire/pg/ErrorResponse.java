package wire.pg;

/** An error; after ERROR the server sends ReadyForQuery, after FATAL it closes the connection. */
public record ErrorResponse(ErrorFields fields) implements BackendMessage {
  public static final char TYPE = 'E';

  public static ErrorResponse error(String sqlState, String message) {
    return new ErrorResponse(ErrorFields.error(sqlState, message));
  }

  /** An error after which the server closes the connection. */
  public static ErrorResponse fatal(String sqlState, String message) {
    return new ErrorResponse(ErrorFields.fatal(sqlState, message));
  }

  public static ErrorResponse of(ProtocolError error) {
    return error(error.sqlState(), error.message());
  }

  static ErrorResponse decode(byte[] body) throws ProtocolException {
    return new ErrorResponse(ErrorFields.decode(body, "ErrorResponse"));
  }

  @Override public byte[] encode() { return fields.encode(TYPE); }
}
