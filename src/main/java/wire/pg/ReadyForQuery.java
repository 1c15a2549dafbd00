package wire.pg;

/** The server waits for the next query; carries the transaction status. */
public record ReadyForQuery(Status status) implements BackendMessage {
  public static final char TYPE = 'Z';
  public static final ReadyForQuery IDLE = new ReadyForQuery(Status.IDLE);

  public enum Status {
    IDLE('I'), IN_TRANSACTION('T'), FAILED_TRANSACTION('E');

    public final char code;

    Status(char code) {
      this.code = code;
    }
  }

  static ReadyForQuery decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "ReadyForQuery");
    char code = (char) (r.int8("transaction status") & 0xff);
    r.end();
    for (Status s : Status.values()) if (s.code == code) return new ReadyForQuery(s);
    throw r.malformed("unknown transaction status " + ProtocolError.Names.type(code));
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).int8(status.code).finish(); }
}
