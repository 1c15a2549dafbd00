package wire.pg;

/** Asks the server to send what it has buffered. */
public record Flush() implements FrontendMessage {
  public static final char TYPE = 'H';
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).finish(); }
}
