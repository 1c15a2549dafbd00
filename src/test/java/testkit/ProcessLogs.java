package testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Attaches the logs of every live test process (PostgreSQL servers, Strata nodes) to a failing
 * test's message, so a failure shows what the process said. Fixtures register themselves while
 * they run; register the extension with {@code @ExtendWith(ProcessLogs.class)}.
 */
public final class ProcessLogs implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
  private record Source(String name, Supplier<String> tail) {}

  private static final List<Source> LIVE = new CopyOnWriteArrayList<>();

  public static AutoCloseable register(String name, Supplier<String> tail) {
    Source s = new Source(name, tail);
    LIVE.add(s);
    return () -> LIVE.remove(s);
  }

  /** The tails of every live process log, for a message. */
  public static String dump() {
    StringBuilder out = new StringBuilder();
    for (Source s : LIVE) {
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
    if (LIVE.isEmpty()) return t;
    AssertionError e = new AssertionError(t.getMessage() + dump(), t);
    return e;
  }
}
