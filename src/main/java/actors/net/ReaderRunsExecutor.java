package actors.net;

import com.typesafe.config.Config;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;

/**
 * A dispatcher executor for the actors a socket's reader thread feeds on a hot path (a timeline's
 * acceptor, the walproposer). When a reader thread (see {@link #beginReading}) schedules such an
 * actor, the actor runs on that thread once the reader has nothing more to read at once, just
 * before it would wait: what arrived together is handled in one run (one fsync for a batch of
 * appends, as a standby's walreceiver writes all it can read and then flushes), and a message is
 * handled without waking another thread, which costs tens of microseconds several times per
 * commit. Any other thread hands the actor to a fixed pool as a usual dispatcher does. The actor
 * still handles one message at a time: Akka's mailbox admits one runner.
 *
 * <p>Configured as {@code executor = "actors.net.ReaderRunsExecutor"} with {@code reader-runs.pool-size}.
 */
public final class ReaderRunsExecutor extends ExecutorServiceConfigurator {
  /** Actor runs a reader thread owes: empty on other threads. */
  private static final ThreadLocal<ArrayDeque<Runnable>> DEFERRED = new ThreadLocal<>();

  private final int poolSize;

  public ReaderRunsExecutor(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.poolSize = config.getInt("reader-runs.pool-size");
  }

  /**
   * The calling thread is a socket's reader from now on: actors on this executor that it schedules
   * wait until it calls {@link #runDeferred()} (a reader does before it may wait) or {@link #endReading()}.
   */
  public static void beginReading() {
    DEFERRED.set(new ArrayDeque<>());
  }

  /** The reader is done: runs what it still owes. Call in a finally block of the reader's loop. */
  public static void endReading() {
    try {
      runDeferred();
    } finally {
      DEFERRED.remove();
    }
  }

  /** Runs the actors this reader thread scheduled; a no-op on other threads. Call before anything that may wait. */
  public static void runDeferred() {
    ArrayDeque<Runnable> owed = DEFERRED.get();
    if (owed == null) return;
    DEFERRED.remove();   // what the runs schedule goes to the pool: a reader runs one batch at a time
    try {
      for (Runnable r; (r = owed.poll()) != null; ) r.run();
    } finally {
      DEFERRED.set(owed);
    }
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    return () -> new Service(Executors.newFixedThreadPool(poolSize, threadFactory));
  }

  private static final class Service extends AbstractExecutorService {
    private final ExecutorService pool;

    Service(ExecutorService pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      ArrayDeque<Runnable> owed = DEFERRED.get();
      if (owed == null || pool.isShutdown()) pool.execute(task);
      else owed.add(task);
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }
}
