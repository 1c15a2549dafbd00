package wire.pg;

/** The answer to a query string with no statements in it. */
public record EmptyQueryResponse() implements BackendMessage {
  public static final char TYPE = 'I';
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).finish(); }
}
