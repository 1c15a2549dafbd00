package actors.compute;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Error texts from the failures of asynchronous steps. */
final class Failures {
  private Failures() {}

  /** The message of the failure inside any CompletionException/ExecutionException wrappers. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while ((root instanceof CompletionException || root instanceof ExecutionException) && root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }
}
