package wire.pg;

/** The end of a COPY stream, in either direction. */
public record CopyDone() implements FrontendMessage, BackendMessage {
  public static final char TYPE = 'c';
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).finish(); }
}
