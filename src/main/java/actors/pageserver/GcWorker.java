package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import store.layer.GcResult;
import store.layer.TimelineLayers;
import store.pgdatadir.LsnByTimestamp;
import wire.xlog.Lsn;

/**
 * One tenant's garbage collection (reference pageserver.md §4.8): on a timer ({@code gc_period}) and
 * on demand, per timeline, cutoff = min(last_record_lsn − gc_horizon, the LSN of now − pitr_interval),
 * never moved back; every child branch's ancestor_lsn is retained; layers no read at or above the
 * cutoff needs are removed and the cutoff persisted as latest_gc_cutoff_lsn. Blocking dispatcher, one
 * pass at a time.
 */
public final class GcWorker extends AbstractBehavior<GcWorker.Command> {
  public sealed interface Command {}
  /** GC one timeline now; {@code gcHorizon} overrides the tenant's when not null. */
  public record DoGc(String timelineId, Long gcHorizon, ActorRef<TenantManager.Result<Report>> replyTo) implements Command {}
  public record Reconfigure() implements Command {}
  private enum Tick implements Command { INSTANCE }

  /** Neon's GcResult fields. */
  public record Report(int layersTotal, int layersNeededByCutoff, int layersNeededByBranches, int layersRemoved, long elapsedMillis,
      long cutoffLsn) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final String tenantId;
  private final PageserverRegistry registry;

  static Behavior<Command> create(String tenantId, PageserverRegistry registry) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new GcWorker(ctx, timers, tenantId, registry)));
  }

  private GcWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, String tenantId, PageserverRegistry registry) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.tenantId = tenantId;
    this.registry = registry;
    arm();
  }

  private void arm() {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, registry.config(tenantId).gcPeriod());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, () -> {
          registry.eachTimeline(tenantId, "gc", ctx.getLog(), h -> gc(h, registry.config(tenantId).gcHorizon()));
          return this;
        })
        .onMessage(DoGc.class, this::onDoGc)
        .onMessage(Reconfigure.class, m -> {
          arm();
          return this;
        })
        .build();
  }

  private Behavior<Command> onDoGc(DoGc m) {
    try {
      TimelineHandle h = registry.timeline(tenantId, m.timelineId());
      long horizon = m.gcHorizon() != null ? m.gcHorizon() : registry.config(tenantId).gcHorizon();
      m.replyTo().tell(TenantManager.Result.ok(gc(h, horizon)));
    } catch (IOException | RuntimeException e) {
      PsError.Failure f = PsError.of(e);
      ctx.getLog().warn("gc failed tenant={} timeline={} reason=\"{}\"", tenantId, m.timelineId(), f.getMessage());
      m.replyTo().tell(TenantManager.Result.failed(f));
    }
    return this;
  }

  private Report gc(TimelineHandle h, long horizon) throws IOException {
    long started = System.nanoTime();
    TimelineLayers layers = h.layers();
    long cutoff = cutoff(h, horizon);
    List<Long> retain = new ArrayList<>();
    for (TimelineHandle child : registry.timelines(tenantId)) {
      TimelineInfo ci = child.info();
      if (h.id().timelineId().equals(ci.ancestorTimelineId())) retain.add(ci.ancestorLsn());
    }
    GcResult r = layers.gc(cutoff, retain);
    long elapsed = (System.nanoTime() - started) / 1_000_000;
    if (!r.removed().isEmpty()) {
      ctx.getLog().info("gc timeline={} cutoff={} removed={} bytes_removed={} kept={} retained_branch_points={}", h.id(), Lsn.of(r.cutoff()),
          r.removed().size(), r.bytesRemoved(), r.kept(), retain.size());
    }
    int removed = r.removed().size();
    return new Report(r.total(), r.total() - removed - r.neededByBranches(), r.neededByBranches(), removed, elapsed, layers.gcCutoffLsn());
  }

  /** min(last − horizon, pitr LSN), at least the current cutoff; pitr counts only when it found commits. */
  private long cutoff(TimelineHandle h, long horizon) throws IOException {
    TimelineLayers layers = h.layers();
    long last = layers.lastRecordLsn();
    long cutoff = Math.max(0, last - horizon);
    java.time.Duration pitr = registry.config(tenantId).pitrInterval();
    if (!pitr.isZero()) {
      LsnByTimestamp.Answer a = h.lsnByTimestamp(Instant.now().minus(pitr));
      if (a.kind() == LsnByTimestamp.Kind.PRESENT || a.kind() == LsnByTimestamp.Kind.PAST) cutoff = Math.min(cutoff, a.lsn());
    }
    return Math.max(cutoff, layers.gcCutoffLsn());
  }
}
