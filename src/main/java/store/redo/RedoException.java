package store.redo;

/** Why {@link WalRedoProcess} could not produce a page. */
public abstract sealed class RedoException extends Exception permits RedoFailed, RedoProcessFailed {
  RedoException(String message, Throwable cause) {
    super(message, cause);
  }
}
