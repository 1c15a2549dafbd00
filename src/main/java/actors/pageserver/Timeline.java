package actors.pageserver;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import java.io.IOException;
import java.time.Duration;
import store.layer.TimelineLayers;
import store.pgdatadir.InvalidWalRecord;
import store.pgdatadir.WalChunkIngest;
import store.pgdatadir.WalIngest;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;

/**
 * One timeline's writer: decodes the WAL its {@link WalReceiver} delivers, ingests it into the
 * layers in batches (each batch becomes visible to readers at once), freezes the in-memory layer
 * and has it flushed on another thread of the same dispatcher while ingest goes on. Runs on the blocking dispatcher: ingest and flush block on files. Compaction and
 * GC run in the tenant's {@link Compactor} and {@link GcWorker}, never here, so they never hold up ingest. Readers go through the {@link TimelineHandle} and never wait on this actor.
 */
public final class Timeline extends AbstractBehavior<Timeline.Command> {
  public sealed interface Command {}
  /** WAL bytes starting at {@code startLsn}; the reply says they are ingested (or why not). */
  public record Ingest(long startLsn, byte[] bytes, ActorRef<IngestResult> replyTo) implements Command {}
  public record IngestResult(String error) {}
  /** Freeze and flush the in-memory layer now ({@code compact} is the caller's business: the {@link Compactor} does it). */
  public record Checkpoint(boolean compact, ActorRef<Done> replyTo) implements Command {}
  private enum Tick implements Command { INSTANCE }
  private record FlushDone(boolean flushed, Throwable error) implements Command {}
  private record ReceiverStatus(WalReceiverStatus status) implements Command {}
  public enum Stop implements Command { INSTANCE }

  /** Pending values beyond this are stored even before the batch's record count is reached. */
  static final long MAX_BATCH_BYTES = 8 << 20;
  /** Ingest messages waiting while a flush runs: the receiver sends at most WalReceiver.MAX_IN_FLIGHT. */
  private static final int STASH = 64;

  private final ActorContext<Command> ctx;
  private final PageserverSettings settings;
  private final TimelineHandle handle;
  private final TimelineLayers layers;
  private final LsnWaiter lsns;
  private final WalIngest ingest;
  private final RecentWal recentWal;
  private final ActorRef<WalReceiver.Command> receiver;
  private final StashBuffer<Command> stash;
  private boolean flushing;   // a frozen layer is being written on another thread
  private WalChunkIngest chunks;   // the current stream's decoder and modification
  private long openedAt = System.nanoTime();

  static Behavior<Command> create(PageserverSettings settings, WalReceiverSettings receiverSettings, TimelineHandle handle,
      TimelineLayers layers, LsnWaiter lsns, WalIngest ingest, RecentWal recentWal) {
    return Behaviors.setup(ctx -> Behaviors.withStash(STASH, stash -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
      return new Timeline(ctx, stash, settings, receiverSettings, handle, layers, lsns, ingest, recentWal);
    })));
  }

  private Timeline(ActorContext<Command> ctx, StashBuffer<Command> stash, PageserverSettings settings, WalReceiverSettings receiverSettings,
      TimelineHandle handle, TimelineLayers layers, LsnWaiter lsns, WalIngest ingest, RecentWal recentWal) {
    super(ctx);
    this.ctx = ctx;
    this.stash = stash;
    this.settings = settings;
    this.handle = handle;
    this.layers = layers;
    this.lsns = lsns;
    this.ingest = ingest;
    this.recentWal = recentWal;
    this.receiver = ctx.spawn(WalReceiver.create(receiverSettings, handle.id().tenantId(), handle.id().timelineId(),
        sink(ctx), () -> {
          TimelineInfo i = handle.info();
          return new TimelineLsns(Lsn.of(i.lastRecordLsn()), Lsn.of(i.diskConsistentLsn()), Lsn.of(i.remoteConsistentLsn()));
        }), "walreceiver");
  }

  /**
   * WAL from the receiver becomes an Ingest message; the stage completes when the bytes are ingested.
   * The chunk's array is handed over, not copied: the receiver made it for this delivery alone.
   */
  private static WalSink sink(ActorContext<Command> ctx) {
    ActorRef<Command> self = ctx.getSelf();
    akka.actor.typed.Scheduler scheduler = ctx.getSystem().scheduler();
    return (start, bytes) -> akka.actor.typed.javadsl.AskPattern.<Command, IngestResult>ask(self,
            r -> new Ingest(start, bytes.toArrayUnsafe(), r), Duration.ofMinutes(5), scheduler)
        .thenCompose(r -> r.error() == null ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
            : java.util.concurrent.CompletableFuture.<Void>failedFuture(new IllegalStateException(r.error())));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ingest.class, this::onIngest)
        .onMessage(Checkpoint.class, this::onCheckpoint)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(FlushDone.class, this::onFlushDone)
        .onMessage(ReceiverStatus.class, m -> {
          if (m.status() == null) return this;
          handle.publish(handle.info().withWalReceiver(m.status().asMap()));
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .build();
  }

  private Behavior<Command> onIngest(Ingest m) {
    if (flushing && layers.layerMap().open().bytes() > settings.checkpointDistance() / 4) {
      stash.stash(m);   // bounds what the open and the flushing layer hold together; FlushDone unstashes
      return this;
    }
    long last = layers.lastRecordLsn();
    if (chunks == null || m.startLsn() != chunks.fedUpTo()) {
      if (m.startLsn() != last) {
        m.replyTo().tell(new IngestResult("WAL from " + Lsn.of(m.startLsn()) + " does not continue the timeline at " + Lsn.of(last)));
        return this;
      }
      // A new stream (or a reconnect) starts again at last_record_lsn: whatever was half-decoded is
      // dropped. The modification inside lives as long as the stream: its directory and size cache
      // stays warm across messages, and stays right because this actor is the timeline's only writer.
      long prev = layers.prevRecordLsn();
      chunks = new WalChunkIngest(WalDecoder.startingAt(Lsn.of(last), Lsn.DEFAULT_SEGMENT_SIZE).expectPrev(Lsn.of(prev)), ingest,
          handle.datadir(last), last, prev, this::store, settings.ingestBatchRecords(), MAX_BATCH_BYTES);
    }
    recentWal.append(m.startLsn(), m.bytes());
    try {
      chunks.feed(m.bytes());
      if (layers.shouldFreeze()) flush();
      m.replyTo().tell(new IngestResult(null));
    } catch (WalFormatException | IOException | InvalidWalRecord | RuntimeException e) {
      ctx.getLog().error("ingest failed timeline={} at={} reason=\"{}\"", handle.id(), Lsn.of(layers.lastRecordLsn()), e.toString(), e);
      chunks = null;   // its cache may hold changes that were never stored
      m.replyTo().tell(new IngestResult("ingest failed at " + Lsn.of(layers.lastRecordLsn()) + ": " + e.getMessage()));
    }
    return this;
  }

  /** Stores values and makes everything up to the record ending at {@code end} visible to readers. */
  private void store(java.util.List<store.layer.KeyValue> values, long end, long prev) {
    if (!values.isEmpty()) layers.put(values);
    if (Long.compareUnsigned(end, layers.lastRecordLsn()) > 0) layers.advance(end, prev);
    lsns.advance(layers.lastRecordLsn());
    publish();
  }

  /**
   * Freezes the open layer and has what is frozen written on another thread while ingest goes on
   * into the next layer (unless compaction holds the layers: then a later tick flushes).
   */
  private void flush() {
    layers.freeze();
    openedAt = System.nanoTime();
    publish();
    startFlush();
  }

  private void startFlush() {
    if (flushing || layers.layerMap().frozen().isEmpty()) return;
    flushing = true;
    java.util.concurrent.CompletableFuture<Boolean> done = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return layers.tryFlushFrozen();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, ctx.getExecutionContext());
    ctx.pipeToSelf(done, (ok, err) -> new FlushDone(ok != null && ok, err));
  }

  private Behavior<Command> onFlushDone(FlushDone m) {
    flushing = false;
    if (m.error() != null) {
      ctx.getLog().error("flush failed timeline={} reason=\"{}\"", handle.id(), m.error().toString(), m.error());
    }
    publish();   // disk_consistent_lsn moved
    if (m.flushed()) startFlush();   // a layer frozen at the very end of that flush; else the tick retries
    return stash.unstashAll(this);
  }

  /** Freezes and flushes, waiting for compaction if need be (checkpoint and stop). */
  private void flushNow() throws IOException {
    layers.freeze();
    layers.flushFrozen();
    openedAt = System.nanoTime();
    publish();
  }

  private void publish() {
    handle.publish(handle.info().withLsns(layers.lastRecordLsn(), layers.prevRecordLsn(), layers.diskConsistentLsn(),
        ingest.logicalSizeBlocks() * 8192, layers.physicalSize()));
  }

  private Behavior<Command> onTick() {
    ctx.ask(WalReceiverStatus.class, receiver, Duration.ofSeconds(5), WalReceiver.GetStatus::new,
        (status, err) -> new ReceiverStatus(status));
    try {
      boolean stale = System.nanoTime() - openedAt > settings.checkpointTimeout().toNanos();
      if (layers.shouldFreeze() || (stale && layers.lastRecordLsn() != layers.diskConsistentLsn())) {
        flush();
      } else {
        startFlush();   // layers frozen while compaction ran
      }
    } catch (RuntimeException e) {
      ctx.getLog().error("flush failed timeline={} reason=\"{}\"", handle.id(), e.toString(), e);
    }
    return this;
  }

  private Behavior<Command> onCheckpoint(Checkpoint m) {
    try {
      if (layers.lastRecordLsn() != layers.diskConsistentLsn()) flushNow();
    } catch (IOException | RuntimeException e) {
      ctx.getLog().error("checkpoint failed timeline={} reason=\"{}\"", handle.id(), e.toString(), e);
    }
    m.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onStop() {
    try {
      if (layers.lastRecordLsn() != layers.diskConsistentLsn()) flushNow();
    } catch (IOException | RuntimeException e) {
      ctx.getLog().warn("final flush failed timeline={} reason=\"{}\"", handle.id(), e.toString());
    }
    return Behaviors.stopped();
  }
}
