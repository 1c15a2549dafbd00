package wire.pg;

/** A warning or notice; same fields as ErrorResponse, never ends a command. */
public record NoticeResponse(ErrorFields fields) implements BackendMessage {
  public static final char TYPE = 'N';

  static NoticeResponse decode(byte[] body) throws ProtocolException {
    return new NoticeResponse(ErrorFields.decode(body, "NoticeResponse"));
  }

  @Override public byte[] encode() { return fields.encode(TYPE); }
}
