package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import store.redo.RedoException;
import store.redo.RedoProcessFailed;
import store.redo.RedoResult;
import store.redo.WalRedoProcess;
import store.redo.WalRedoSettings;
import wire.redo.RedoRequest;

/**
 * Owns one WAL redo process (pageserver.md §5.3). Requests queue here and go to the process in
 * pipelined batches. One pump task at a time on the blocking dispatcher applies them, and up to two
 * batches are out: while one is in the process the next can be ready, and the pump goes straight
 * on to it instead of waiting for the first batch's answers to travel back through this actor.
 *
 * <p>When the process dies, hangs past the timeout or breaks the protocol, a new one is started on
 * the same work directory and every request that was in it is tried once more, alone, so that one
 * poisonous request cannot take the others down twice; a request whose second process dies too
 * fails with {@link RedoProcessFailed}. A batch that never reached the dead process goes back to
 * the queue as it was. A request the process refuses ({@code RedoFailed}) is not retried.
 */
public final class WalRedoWorker extends AbstractBehavior<WalRedoWorker.Command> {
  public sealed interface Command {}

  /** Rebuild one page. */
  public record Redo(RedoRequest request, ActorRef<Reply> replyTo) implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Stop: the process is closed, and requests still waiting fail with {@code RedoProcessFailed}. */
  public enum Stop implements Command { INSTANCE }

  public sealed interface Reply {}

  public record Rebuilt(byte[] page) implements Reply {}

  /** {@code RedoFailed} (the request) or {@code RedoProcessFailed} (the process, twice, or it cannot start). */
  public record Failed(RedoException error) implements Reply {}

  /**
   * @param pid      the postgres process serving now, 0 while there is none
   * @param restarts processes started after the first one
   */
  public record Status(int worker, long pid, int queued, int inFlight, long served, long restarts) {}

  private record Started(WalRedoProcess process, long pid) implements Command {}

  private record StartFailed(RedoProcessFailed error) implements Command {}

  private record Applied(long batch, List<RedoResult> results) implements Command {}

  /** The batch's process failed; {@code sent} is false when the batch found it dead and never used it. */
  private record Died(long batch, WalRedoProcess process, RedoProcessFailed error, boolean sent) implements Command {}

  private enum RetryStart implements Command { INSTANCE }

  private record Pending(RedoRequest request, ActorRef<Reply> replyTo, int attempts) {}

  /** A batch handed to the pump, with the process it is meant for. */
  private record Batch(long number, WalRedoProcess process, long pid, List<RedoRequest> requests) {}

  /** Requests per pipelined batch: enough to keep the process busy, few enough to stay fair. */
  static final int MAX_BATCH = 128;
  /** Tries per request on a process that dies under it: the first, and one on a new process. */
  static final int MAX_ATTEMPTS = 2;
  /** Batches out at once: one in the process, one ready behind it. */
  static final int MAX_BATCHES_OUT = 2;
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final int id;
  private final WalRedoSettings settings;
  private final TimerScheduler<Command> timers;
  private final Executor blocking;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** The process as seen by the futures that start it, so that a worker stopped meanwhile closes it. */
  private final AtomicReference<WalRedoProcess> owned = new AtomicReference<>();
  private volatile boolean stopped;
  /** The batches out, by number; they may finish in either order. */
  private final Map<Long, List<Pending>> inFlight = new LinkedHashMap<>();
  /** Batches sent and not yet taken by the pump: the one channel between this actor and the pump. */
  private final ConcurrentLinkedQueue<Batch> ready = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean pumping = new AtomicBoolean();
  private final ActorRef<Command> self;
  private long nextBatch;
  private WalRedoProcess process;
  private long pid;
  private boolean starting;
  private boolean everStarted;
  private long served;
  private long restarts;
  private Duration backoff = FIRST_BACKOFF;

  public static Behavior<Command> create(int id, WalRedoSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new WalRedoWorker(ctx, timers, id, settings)));
  }

  private WalRedoWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, int id, WalRedoSettings settings) {
    super(ctx);
    this.id = id;
    this.settings = settings;
    this.timers = timers;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.walredo-io"));
    this.self = ctx.getSelf();
    start();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Redo.class, this::onRedo)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Started.class, this::onStarted)
        .onMessage(StartFailed.class, this::onStartFailed)
        .onMessage(Applied.class, this::onApplied)
        .onMessage(Died.class, this::onDied)
        .onMessageEquals(RetryStart.INSTANCE, this::onRetryStart)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onRedo(Redo r) {
    queue.addLast(new Pending(r.request(), r.replyTo(), 0));
    dispatch();
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    g.replyTo().tell(new Status(id, pid, queue.size(), inFlightCount(), served, restarts));
    return this;
  }

  private void start() {
    starting = true;
    CompletableFuture<Started> f = CompletableFuture.supplyAsync(() -> {
      WalRedoProcess p;
      try {
        p = WalRedoProcess.start(settings);
      } catch (RedoProcessFailed e) {
        throw new CompletionException(e);
      }
      owned.set(p);
      // Either onPostStop sees the process in `owned`, or we see `stopped`: it is closed exactly once.
      if (stopped && owned.compareAndSet(p, null)) {
        p.close();
        throw new CompletionException(new RedoProcessFailed("walredo worker " + id + " stopped", null));
      }
      return new Started(p, p.pid());
    }, blocking);
    getContext().pipeToSelf(f, (ok, err) -> ok != null ? ok : new StartFailed(processFailure(err)));
  }

  private Behavior<Command> onStarted(Started s) {
    starting = false;
    process = s.process();
    pid = s.pid();
    backoff = FIRST_BACKOFF;
    if (everStarted) restarts++;
    everStarted = true;
    dispatch();
    return this;
  }

  private Behavior<Command> onStartFailed(StartFailed f) {
    starting = false;
    getContext().getLog().warn("walredo worker={} could not start its process, retrying in {} s: {}", id, backoff.toSeconds(),
        firstLine(f.error().getMessage()));
    // Nothing can serve the waiting requests until a start succeeds: they fail now rather than time out.
    for (Pending p : queue) p.replyTo().tell(new Failed(f.error()));
    queue.clear();
    timers.startSingleTimer(RetryStart.INSTANCE, backoff);
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    return this;
  }

  private Behavior<Command> onRetryStart() {
    if (process == null && !starting) start();
    return this;
  }

  /** Sends batches while the process is up and fewer than two are out. A retried request travels alone. */
  private void dispatch() {
    while (process != null && inFlight.size() < MAX_BATCHES_OUT && !queue.isEmpty()) {
      List<Pending> batch = new ArrayList<>();
      if (queue.peekFirst().attempts() > 0) {
        batch.add(queue.pollFirst());
      } else {
        while (!queue.isEmpty() && queue.peekFirst().attempts() == 0 && batch.size() < MAX_BATCH) batch.add(queue.pollFirst());
      }
      send(nextBatch++, batch);
    }
  }

  private void send(long number, List<Pending> batch) {
    inFlight.put(number, batch);
    ready.offer(new Batch(number, process, pid, batch.stream().map(Pending::request).toList()));
    if (pumping.compareAndSet(false, true)) {
      try {
        blocking.execute(this::pump);
      } catch (RejectedExecutionException e) {
        pumping.set(false);   // the system is shutting down; the batch fails when this actor stops
      }
    }
  }

  /**
   * Runs on the blocking dispatcher, never two at once: applies ready batches one after another
   * and tells this actor how each went. Touches only {@code ready}, {@code pumping} and {@code self}.
   */
  private void pump() {
    while (true) {
      Batch b = ready.poll();
      if (b == null) {
        pumping.set(false);
        // A batch offered between the poll and the flag finds pumping still set: take it here.
        if (ready.isEmpty() || !pumping.compareAndSet(false, true)) return;
        continue;
      }
      self.tell(apply(b));
    }
  }

  private Command apply(Batch b) {
    if (!b.process().isUsable()) {
      return new Died(b.number(), b.process(), new RedoProcessFailed("walredo process pid=" + b.pid() + " is gone", null), false);
    }
    try {
      return new Applied(b.number(), b.process().applyAll(b.requests()));
    } catch (RedoProcessFailed e) {
      return new Died(b.number(), b.process(), e, true);
    } catch (RuntimeException e) {
      return new Died(b.number(), b.process(), processFailure(e), true);
    }
  }

  private Behavior<Command> onApplied(Applied a) {
    List<Pending> batch = inFlight.remove(a.batch());
    for (int i = 0; i < batch.size(); i++) {
      RedoResult r = a.results().get(i);
      Reply reply = r instanceof RedoResult.Failed failed ? new Failed(failed.error()) : new Rebuilt(((RedoResult.Page) r).bytes());
      batch.get(i).replyTo().tell(reply);
    }
    served += batch.size();
    dispatch();
    return this;
  }

  private Behavior<Command> onDied(Died d) {
    List<Pending> batch = inFlight.remove(d.batch());
    if (d.process() == process) {   // the first news of this death: replace the process
      getContext().getLog().warn("walredo worker={} process pid={} failed, starting a new one: {}", id, pid, firstLine(d.error().getMessage()));
      process = null;
      pid = 0;
      if (owned.compareAndSet(d.process(), null)) closeQuietly(d.process());
      start();
    }
    List<Pending> retry = new ArrayList<>();
    for (Pending p : batch) {
      if (!d.sent()) {
        retry.add(p);
      } else if (p.attempts() + 1 < MAX_ATTEMPTS) {
        retry.add(new Pending(p.request(), p.replyTo(), p.attempts() + 1));
      } else {
        p.replyTo().tell(new Failed(d.error()));
      }
    }
    for (int i = retry.size() - 1; i >= 0; i--) queue.addFirst(retry.get(i));
    dispatch();   // a no-op while the new process starts; needed when it already runs
    return this;
  }

  private int inFlightCount() {
    return inFlight.values().stream().mapToInt(List::size).sum();
  }

  private Behavior<Command> onPostStop() {
    stopped = true;
    ready.clear();
    WalRedoProcess p = owned.getAndSet(null);
    if (p != null) closeQuietly(p);
    RedoProcessFailed gone = new RedoProcessFailed("walredo worker " + id + " stopped", null);
    for (List<Pending> batch : inFlight.values()) for (Pending q : batch) q.replyTo().tell(new Failed(gone));
    for (Pending q : queue) q.replyTo().tell(new Failed(gone));
    return this;
  }

  /** Closing waits for the process to exit: never on this actor's thread, unless the dispatcher is gone. */
  private void closeQuietly(WalRedoProcess p) {
    try {
      CompletableFuture.runAsync(p::close, blocking);
    } catch (RejectedExecutionException e) {
      p.close();
    }
  }

  private RedoProcessFailed processFailure(Throwable err) {
    Throwable t = err;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    if (t instanceof RedoProcessFailed f) return f;
    return new RedoProcessFailed("walredo worker " + id + ": unexpected " + t, t);
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
