package wire.pg;

/** The process id and secret a client needs for a CancelRequest. */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {
  public static final char TYPE = 'K';

  static BackendKeyData decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "BackendKeyData");
    BackendKeyData k = new BackendKeyData(r.int32("process id"), r.int32("secret key"));
    r.end();
    return k;
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(processId).int32(secretKey).finish(); }
}
