package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BiFunction;
import store.redo.RedoProcessFailed;
import store.redo.RedoService;
import wire.redo.RedoRequest;

/**
 * The pageserver's {@link RedoService}: N {@link WalRedoWorker}s, each with its own redo process,
 * and a request goes to the one with the fewest requests outstanding (ties in turn). Not an actor:
 * a plain object that spawns the workers and asks them, safe to call from any thread.
 */
public final class WalRedoPool implements RedoService {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final List<ActorRef<WalRedoWorker.Command>> workers;
  private final AtomicIntegerArray outstanding;
  private final AtomicInteger turn = new AtomicInteger();
  private final Scheduler scheduler;
  private final WalRedoPoolSettings settings;

  private WalRedoPool(List<ActorRef<WalRedoWorker.Command>> workers, Scheduler scheduler, WalRedoPoolSettings settings) {
    this.workers = List.copyOf(workers);
    this.outstanding = new AtomicIntegerArray(workers.size());
    this.scheduler = scheduler;
    this.settings = settings;
  }

  /** Workers as children of {@code ctx}'s actor: they stop with it. */
  public static WalRedoPool spawn(ActorContext<?> ctx, WalRedoPoolSettings settings) {
    return spawn(settings, ctx.getSystem().scheduler(), (behavior, name) -> ctx.spawn(behavior, name));
  }

  /** Workers as system actors: they stop when the system terminates. */
  public static WalRedoPool spawn(ActorSystem<?> system, WalRedoPoolSettings settings) {
    return spawn(settings, system.scheduler(), (behavior, name) -> system.systemActorOf(behavior, name, Props.empty()));
  }

  private static WalRedoPool spawn(WalRedoPoolSettings settings, Scheduler scheduler,
      BiFunction<Behavior<WalRedoWorker.Command>, String, ActorRef<WalRedoWorker.Command>> spawner) {
    int pool = POOLS.incrementAndGet();
    List<ActorRef<WalRedoWorker.Command>> workers = new ArrayList<>();
    for (int i = 0; i < settings.processes(); i++) {
      workers.add(spawner.apply(WalRedoWorker.create(i, settings.worker(i)), "walredo-" + pool + "-" + i));
    }
    return new WalRedoPool(workers, scheduler, settings);
  }

  /**
   * Rebuilds one page on the least busy worker. Fails with {@code RedoFailed} or
   * {@code RedoProcessFailed}; a worker that does not answer within {@link WalRedoPoolSettings#askTimeout()}
   * counts as a failed process.
   */
  @Override
  public CompletionStage<byte[]> redo(RedoRequest request) {
    int w = pick();
    outstanding.incrementAndGet(w);
    CompletionStage<WalRedoWorker.Reply> asked = AskPattern.ask(workers.get(w),
        (ActorRef<WalRedoWorker.Reply> replyTo) -> new WalRedoWorker.Redo(request, replyTo), settings.askTimeout(), scheduler);
    CompletableFuture<byte[]> page = new CompletableFuture<>();
    asked.whenComplete((reply, err) -> {
      outstanding.decrementAndGet(w);
      if (reply instanceof WalRedoWorker.Rebuilt r) {
        page.complete(r.page());
      } else if (reply instanceof WalRedoWorker.Failed f) {
        page.completeExceptionally(f.error());
      } else {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        page.completeExceptionally(cause instanceof TimeoutException
            ? new RedoProcessFailed("walredo worker " + w + " did not answer for " + request.block() + " within "
                + settings.askTimeout().toSeconds() + " s", cause)
            : new RedoProcessFailed("walredo worker " + w + " failed for " + request.block() + ": " + cause, cause));
      }
    });
    return page;
  }

  /** The worker with the fewest outstanding requests, starting the search at the next in turn. */
  private int pick() {
    int n = workers.size();
    int start = Math.floorMod(turn.getAndIncrement(), n);
    int best = start;
    for (int k = 1; k < n; k++) {
      int i = (start + k) % n;
      if (outstanding.get(i) < outstanding.get(best)) best = i;
    }
    return best;
  }

  /** Stops every worker and with it its process; requests still waiting fail. */
  public void stop() {
    for (ActorRef<WalRedoWorker.Command> w : workers) w.tell(WalRedoWorker.Stop.INSTANCE);
  }

  public List<ActorRef<WalRedoWorker.Command>> workers() {
    return workers;
  }

  public int size() {
    return workers.size();
  }
}
