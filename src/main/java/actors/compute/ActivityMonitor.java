package actors.compute;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Samples pg_stat_activity every interval (one sample in flight at a time, on the blocking
 * dispatcher) and tells its parent each time users' last activity moves forward. Started only
 * once the compute runs, so the compute's own startup sessions never count.
 */
public final class ActivityMonitor extends AbstractBehavior<ActivityMonitor.Command> {
  public sealed interface Command permits Tick, Sampled {}
  private record Tick() implements Command {}
  private record Sampled(List<Activity.Backend> rows, Throwable failure) implements Command {}

  /** Users were last active at {@code at}; never earlier than a previous report. */
  public record LastActive(Instant at) {}

  private final ActivitySource source;
  private final ActorRef<LastActive> report;
  private final Executor blocking;
  private Optional<Instant> lastActive = Optional.empty();
  private boolean sampling;
  private boolean failing;

  public static Behavior<Command> create(ActivitySource source, Duration interval, ActorRef<LastActive> report) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), Duration.ZERO, interval);
      return new ActivityMonitor(ctx, source, report);
    }));
  }

  private ActivityMonitor(ActorContext<Command> ctx, ActivitySource source, ActorRef<LastActive> report) {
    super(ctx);
    this.source = source;
    this.report = report;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, t -> onTick())
        .onMessage(Sampled.class, this::onSampled)
        .onSignal(PostStop.class, s -> {
          CompletableFuture.runAsync(source::close, blocking);
          return this;
        })
        .build();
  }

  private Behavior<Command> onTick() {
    if (sampling) return this;
    sampling = true;
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return source.sample();
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, blocking), Sampled::new);
    return this;
  }

  private Behavior<Command> onSampled(Sampled s) {
    sampling = false;
    if (s.failure() != null) {
      if (!failing) getContext().getLog().warn("activity sample failed: {}", Failures.rootMessage(s.failure()));
      failing = true;
      return this;
    }
    failing = false;
    Optional<Instant> next = Activity.advance(lastActive, Activity.latest(s.rows(), Instant.now()));
    if (!next.equals(lastActive)) {
      lastActive = next;
      report.tell(new LastActive(next.get()));
    }
    return this;
  }
}
