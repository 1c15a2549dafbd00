package wire.pg;

/** Ends an extended-protocol batch; a server answers ReadyForQuery. */
public record Sync() implements FrontendMessage {
  public static final char TYPE = 'S';
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).finish(); }
}
