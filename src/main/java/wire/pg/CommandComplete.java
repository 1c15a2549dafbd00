package wire.pg;

/** A command finished; the tag names it, e.g. "SELECT 1" or "IDENTIFY_SYSTEM". */
public record CommandComplete(String tag) implements BackendMessage {
  public static final char TYPE = 'C';

  static CommandComplete decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "CommandComplete");
    CommandComplete c = new CommandComplete(r.cstring("command tag"));
    r.end();
    return c;
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).cstring(tag).finish(); }
}
