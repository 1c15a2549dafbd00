package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.io.IOException;
import java.util.List;
import store.layer.KeyRange;
import store.layer.KeySpace;
import store.layer.TimelineLayers;
import store.pgdatadir.DatadirKeySpace;
import wire.xlog.Lsn;

/**
 * One tenant's compaction: on a timer ({@code compaction_period}) and on demand, for each of its
 * timelines, merges L0 deltas into L1 once there are {@code compaction_threshold} of them, then
 * writes image layers at disk_consistent_lsn over the partitions of the key space where {@code
 * image_creation_threshold} deltas are stacked. Runs on the blocking dispatcher, one pass at a time;
 * ingest and reads go on meanwhile (TimelineLayers publishes each change atomically).
 */
public final class Compactor extends AbstractBehavior<Compactor.Command> {
  public sealed interface Command {}
  /** A pass over one timeline; {@code force}: L0 compaction regardless of the threshold and images of every partition. */
  public record Compact(String timelineId, boolean force, ActorRef<TenantManager.Result<String>> replyTo) implements Command {}
  /** The tenant's config changed: re-arm the timer. */
  public record Reconfigure() implements Command {}
  private enum Tick implements Command { INSTANCE }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final String tenantId;
  private final PageserverRegistry registry;
  private final long targetSize;

  static Behavior<Command> create(String tenantId, PageserverRegistry registry, long compactionTargetSize) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Compactor(ctx, timers, tenantId, registry, compactionTargetSize)));
  }

  private Compactor(ActorContext<Command> ctx, TimerScheduler<Command> timers, String tenantId, PageserverRegistry registry,
      long targetSize) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.tenantId = tenantId;
    this.registry = registry;
    this.targetSize = targetSize;
    arm();
  }

  private void arm() {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, registry.config(tenantId).compactionPeriod());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, () -> {
          registry.eachTimeline(tenantId, "compaction", ctx.getLog(), h -> pass(h, false));
          return this;
        })
        .onMessage(Compact.class, this::onCompact)
        .onMessage(Reconfigure.class, m -> {
          arm();
          return this;
        })
        .build();
  }

  private Behavior<Command> onCompact(Compact m) {
    TimelineHandle h;
    try {
      h = registry.timeline(tenantId, m.timelineId());
    } catch (PsError.Failure f) {
      m.replyTo().tell(TenantManager.Result.failed(f));
      return this;
    }
    try {
      pass(h, m.force());
      m.replyTo().tell(TenantManager.Result.ok(m.timelineId()));
    } catch (IOException | RuntimeException e) {
      ctx.getLog().error("compaction failed timeline={} reason=\"{}\"", h.id(), e.toString(), e);
      m.replyTo().tell(TenantManager.Result.failed(PsError.of(e)));
    }
    return this;
  }

  private void pass(TimelineHandle h, boolean force) throws IOException {
    TenantConfig cfg = registry.config(tenantId);
    TimelineLayers layers = h.layers();
    int l0Before = layers.layerMap().l0().size();
    layers.compactL0(force ? 2 : cfg.compactionThreshold());
    long lsn = layers.diskConsistentLsn();
    if (lsn < layers.lowestReadableLsn()) return;   // nothing of its own readable yet
    List<KeyRange> worth;
    KeySpace keyspace = null;
    if (force) {
      // A forced pass images every partition, so GC can drop everything below it.
      keyspace = DatadirKeySpace.collect(h.datadir(lsn));
      worth = keyspace.partition(targetSize);
    } else {
      // Collecting the key space costs reads: first a cheap look whether any delta lies above the last image at all.
      List<KeyRange> all = layers.layerMap().historic().isEmpty() ? List.of() : List.of(KeyRange.FULL);
      if (all.isEmpty() || layers.rangesWorthImaging(all, lsn, 1).isEmpty()) {
        worth = List.of();
      } else {
        keyspace = DatadirKeySpace.collect(h.datadir(lsn));
        worth = layers.rangesWorthImaging(keyspace.partition(targetSize), lsn, cfg.imageCreationThreshold());
      }
    }
    if (!worth.isEmpty()) layers.createImageLayers(lsn, worth, keyspace, h::get);
    int l0After = layers.layerMap().l0().size();
    if (l0After != l0Before || !worth.isEmpty()) {
      ctx.getLog().info("compaction timeline={} l0_before={} l0_after={} image_partitions={} image_lsn={}", h.id(), l0Before, l0After,
          worth.size(), Lsn.of(lsn));
    }
  }
}
