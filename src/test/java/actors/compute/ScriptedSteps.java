package actors.compute;

import actors.proposer.PostgresUrl;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import wire.xlog.Lsn;

/**
 * Startup steps for the state machine's tests: each call is recorded and succeeds at once,
 * unless the test holds that step (then it completes when the test says) or makes it fail.
 * The "PostgreSQL" it starts exits when asked to stop, or when the test says so.
 */
final class ScriptedSteps implements ComputeSteps {
  static final Lsn PAGESERVER_LSN = Lsn.parse("0/3000028");

  final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<Object>> held = new ConcurrentHashMap<>();
  volatile FakePostgres postgres;

  /** The next call of {@code step} waits for the returned future. */
  CompletableFuture<Object> hold(String step) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    held.put(step, f);
    return f;
  }

  void fail(String step, Throwable cause) {
    hold(step).completeExceptionally(cause);
  }

  @SuppressWarnings("unchecked")
  private <T> CompletionStage<T> step(String name, T result) {
    calls.add(name);
    CompletableFuture<Object> h = held.remove(name);
    if (h == null) return CompletableFuture.completedFuture(result);
    return h.thenApply(v -> v == null ? result : (T) v);
  }

  @Override
  public CompletionStage<Lsn> waitForPageserver(ComputeSpec spec, Lsn atLeast) {
    return step("waitForPageserver " + atLeast, atLeast.isValid() ? atLeast : PAGESERVER_LSN);
  }

  @Override
  public CompletionStage<Long> basebackup(ComputeSpec spec, Lsn lsn) {
    return step("basebackup " + lsn, 12345L);
  }

  @Override
  public CompletionStage<Void> writeConfig(ComputeSpec spec) {
    return step("writeConfig", null);
  }

  @Override
  public CompletionStage<Postgres> startPostgres(ComputeSpec spec) {
    postgres = new FakePostgres();
    return step("startPostgres", postgres);
  }

  @Override
  public CompletionStage<Void> applySpec(ComputeSpec spec) {
    return step("applySpec", null);
  }

  @Override
  public PostgresUrl adminUrl() {
    return new PostgresUrl("127.0.0.1", 1, "postgres", null, "postgres");
  }

  @Override
  public ActivitySource activitySource() {
    return new ActivitySource() {
      @Override
      public List<Activity.Backend> sample() {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }

  final class FakePostgres implements Postgres {
    final CompletableFuture<Integer> exit = new CompletableFuture<>();

    @Override
    public CompletionStage<Integer> exit() {
      return exit;
    }

    @Override
    public CompletionStage<Void> stop(TerminationMode mode) {
      calls.add("stop " + mode.word());
      exit.complete(0);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> reload() {
      calls.add("reload");
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void stopNow() {
      calls.add("stopNow");
      exit.complete(0);
    }
  }
}
