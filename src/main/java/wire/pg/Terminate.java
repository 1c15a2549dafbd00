package wire.pg;

/** The client is closing the connection. */
public record Terminate() implements FrontendMessage {
  public static final char TYPE = 'X';
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).finish(); }
}
