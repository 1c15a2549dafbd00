package wire.pg;

/** The client aborts a COPY FROM STDIN with a reason. */
public record CopyFail(String reason) implements FrontendMessage {
  public static final char TYPE = 'f';

  static CopyFail decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "CopyFail");
    CopyFail f = new CopyFail(r.cstring("reason"));
    r.end();
    return f;
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).cstring(reason).finish(); }
}
