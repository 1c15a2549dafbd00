package testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Attaches the logs of every live test process (PostgreSQL servers, Strata nodes) to a failing
 * test's message, so a failure shows what the process said. Fixtures register themselves while
 * they run; register the extension with {@code @ExtendWith(ProcessLogs.class)}.
 */
public final class ProcessLogs implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler,
    BeforeEachCallback {
  private record Source(String name, Supplier<String> tail) {}

  private static final List<Source> LIVE = new CopyOnWriteArrayList<>();
  // Processes closed during the current test: their last words matter when the test then fails.
  private static final List<Source> CLOSED = new CopyOnWriteArrayList<>();

  public static AutoCloseable register(String name, Supplier<String> tail) {
    Source s = new Source(name, tail);
    LIVE.add(s);
    return () -> {
      if (!LIVE.remove(s)) return;
      String last = snapshot(s);   // read now: the fixture deletes its files next
      CLOSED.add(new Source(s.name() + ", stopped", () -> last));
    };
  }

  private static String snapshot(Source s) {
    try {
      return s.tail().get();
    } catch (RuntimeException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void beforeEach(ExtensionContext ctx) {
    CLOSED.clear();
  }

  /** The tails of every live process log, for a message. */
  public static String dump() {
    StringBuilder out = new StringBuilder();
    List<Source> all = new java.util.ArrayList<>(LIVE);
    all.addAll(CLOSED);
    for (Source s : all) {
      out.append("\n----- log of ").append(s.name()).append(" (tail) -----\n");
      try {
        out.append(s.tail().get());
      } catch (RuntimeException e) {
        out.append("(unreadable: ").append(e.getMessage()).append(')');
      }
    }
    return out.toString();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    throw withLogs(t);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    throw withLogs(t);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext ctx, Throwable t) throws Throwable {
    throw withLogs(t);
  }

  private static Throwable withLogs(Throwable t) {
    if (LIVE.isEmpty() && CLOSED.isEmpty()) return t;
    AssertionError e = new AssertionError(t.getMessage() + dump(), t);
    return e;
  }
}
