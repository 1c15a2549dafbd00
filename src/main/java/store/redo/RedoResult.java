package store.redo;

/** The outcome of one pipelined request: a page, or why there is none. */
public sealed interface RedoResult {
  record Page(byte[] bytes) implements RedoResult {}

  record Failed(RedoFailed error) implements RedoResult {}

  /** The page, or the request's error. */
  default byte[] pageOrThrow() throws RedoFailed {
    if (this instanceof Failed f) throw f.error();
    return ((Page) this).bytes();
  }
}
