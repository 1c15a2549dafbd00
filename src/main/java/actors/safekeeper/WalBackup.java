package actors.safekeeper;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import store.remote.ObjectStore;
import wire.xlog.Lsn;

/**
 * Uploads this safekeeper's completed WAL segments to the object store for the timelines the
 * gossip elects it for ({@link UploaderElection}). Every tick it looks at its timelines and the
 * gossip; for each timeline it uploads, one run at a time uploads the segments from backup_lsn's
 * up to commit_lsn's, in order, to {@code wal/<tenant>/<timeline>/<segment>}, and after each one
 * tells the acceptor the new backup_lsn (persisted with the control file, published in gossip).
 * A run that fails (after the store's retries) ends; the next tick starts again from backup_lsn.
 */
public final class WalBackup extends AbstractBehavior<WalBackup.Command> {
  public sealed interface Command {}
  private enum Tick implements Command { INSTANCE }
  private record Observed(Map<TimelineId, Local> local, List<StatusGossip.TimelineInfo> gossip) implements Command {}
  private record RunEnded(TimelineId id, Throwable error) implements Command {}
  private record BucketReady(Throwable error) implements Command {}

  private record Local(ActorRef<TimelineAcceptor.Command> acceptor, TimelineStatus status) {}

  private static final Duration ASK = Duration.ofSeconds(10);
  // Runs log from stream threads, where the actor's context must not be touched.
  private static final Logger LOG = LoggerFactory.getLogger(WalBackup.class);

  private final ActorContext<Command> ctx;
  private final SafekeeperSettings settings;
  private final WalBackupSettings backup;
  private final ActorRef<Timelines.Command> timelines;
  private final SafekeeperApi api;
  private final ObjectStore store;
  private final WalBackupMetrics metrics;
  // Timelines with a run in flight, each with the flag that asks it to stop between segments.
  private final Map<TimelineId, AtomicBoolean> running = new HashMap<>();
  private boolean observing;
  private boolean bucketReady;
  private boolean bucketPending;

  public static Behavior<Command> create(SafekeeperSettings settings, WalBackupSettings backup, ActorRef<Timelines.Command> timelines,
      SafekeeperApi api, ObjectStore store, io.micrometer.core.instrument.MeterRegistry registry) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, backup.interval());
      return new WalBackup(ctx, settings, backup, timelines, api, store, new WalBackupMetrics(registry));
    }));
  }

  private WalBackup(ActorContext<Command> ctx, SafekeeperSettings settings, WalBackupSettings backup, ActorRef<Timelines.Command> timelines,
      SafekeeperApi api, ObjectStore store, WalBackupMetrics metrics) {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.backup = backup;
    this.timelines = timelines;
    this.api = api;
    this.store = store;
    this.metrics = metrics;
    ctx.getLog().info("WAL backup on endpoint={} bucket={}", store.settings().endpoint(), store.settings().bucket());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(BucketReady.class, this::onBucketReady)
        .onMessage(Observed.class, this::onObserved)
        .onMessage(RunEnded.class, this::onRunEnded)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!bucketReady) {
      if (!bucketPending) {
        bucketPending = true;
        ctx.pipeToSelf(store.ensureBucket(), (done, err) -> new BucketReady(err));
      }
      return this;
    }
    if (observing) return this;   // the last look has not come back yet
    observing = true;
    ctx.pipeToSelf(observe(), (o, err) -> o != null ? o : new Observed(Map.of(), List.of()));
    return this;
  }

  private Behavior<Command> onBucketReady(BucketReady m) {
    bucketPending = false;
    bucketReady = m.error() == null;
    if (m.error() != null) ctx.getLog().warn("WAL backup cannot reach its bucket, will retry: {}", m.error().getMessage());
    return this;
  }

  /** This node's timelines with their acceptors and statuses, and the gossip, in one message. */
  private CompletionStage<Observed> observe() {
    CompletionStage<Map<TimelineId, ActorRef<TimelineAcceptor.Command>>> all =
        AskPattern.ask(timelines, Timelines.ListAll::new, ASK, ctx.getSystem().scheduler());
    return all.thenCompose(refs -> {
      List<CompletableFuture<Map.Entry<TimelineId, Local>>> each = new ArrayList<>();
      refs.forEach((id, ref) -> each.add(AskPattern.<TimelineAcceptor.Command, TimelineStatus>ask(ref, TimelineAcceptor.GetStatus::new,
              ASK, ctx.getSystem().scheduler())
          .thenApply(s -> Map.entry(id, new Local(ref, s))).toCompletableFuture()));
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
        Map<TimelineId, Local> local = new HashMap<>();
        each.forEach(f -> local.put(f.join().getKey(), f.join().getValue()));
        return local;
      });
    }).thenCombine(api.gossip(), Observed::new);
  }

  private Behavior<Command> onObserved(Observed m) {
    observing = false;
    long now = System.currentTimeMillis();
    long worstLag = 0;
    for (Map.Entry<TimelineId, Local> e : m.local().entrySet()) {
      TimelineId id = e.getKey();
      TimelineStatus s = e.getValue().status();
      if (!s.commitLsn().isValid() || s.walSegSize() == 0) continue;
      Lsn peers = UploaderElection.peersBackupLsn(id.tenantId(), id.timelineId(), m.gossip());
      // Nothing below the timeline's start exists anywhere: backup starts at its segment.
      Lsn backupLsn = Lsn.max(Lsn.max(s.backupLsn(), peers), s.timelineStartLsn());
      if (backupLsn.isAfter(s.backupLsn())) e.getValue().acceptor().tell(new TimelineAcceptor.BackedUp(backupLsn));
      Lsn remote = UploaderElection.peersRemoteConsistentLsn(id.tenantId(), id.timelineId(), m.gossip());
      if (remote.isAfter(s.remoteConsistentLsn())) e.getValue().acceptor().tell(new TimelineAcceptor.RemoteConsistent(remote));
      worstLag = Math.max(worstLag, s.commitLsn().minus(Lsn.min(backupLsn, s.commitLsn())));
      OptionalLong uploader = UploaderElection.elect(id.tenantId(), id.timelineId(), m.gossip(), now,
          backup.heartbeat().toMillis(), backup.maxLagBytes());
      boolean mine = uploader.isPresent() && uploader.getAsLong() == settings.nodeId();
      AtomicBoolean run = running.get(id);
      if (!mine) {
        if (run != null && !run.get()) {
          run.set(true);
          ctx.getLog().info("WAL backup moves away tenant={} timeline={} uploader={}", id.tenantId(), id.timelineId(),
              uploader.isPresent() ? Long.toUnsignedString(uploader.getAsLong()) : "none");
        }
        continue;
      }
      long from = segNo(backupLsn, s.walSegSize());
      long to = segNo(s.commitLsn(), s.walSegSize());   // commit_lsn's own segment is not complete yet
      if (run == null && Long.compareUnsigned(from, to) < 0) start(id, e.getValue(), from, to);
    }
    metrics.lagBytes.set(worstLag);
    return this;
  }

  private void start(TimelineId id, Local local, long from, long to) {
    AtomicBoolean stop = new AtomicBoolean();
    running.put(id, stop);
    Path dir = settings.timelineDir(id.tenantId(), id.timelineId());
    UploadRun run = new UploadRun(id, local, dir, from, to, stop);
    ctx.pipeToSelf(run.next(from), (done, err) -> new RunEnded(id, err));
  }

  private Behavior<Command> onRunEnded(RunEnded m) {
    running.remove(m.id());
    if (m.error() != null) {
      metrics.failedJobs.increment();
      ctx.getLog().warn("WAL backup run failed tenant={} timeline={}: {}", m.id().tenantId(), m.id().timelineId(),
          m.error().getMessage());
    }
    return this;
  }

  private static long segNo(Lsn lsn, int segSize) {
    return Long.divideUnsigned(lsn.value(), segSize);
  }

  /** One run over segments [from, to): strictly in order, so backup_lsn never skips a segment. */
  private final class UploadRun {
    private final TimelineId id;
    private final Local local;
    private final Path dir;
    private final long from;
    private final long to;
    private final AtomicBoolean stop;
    private final long startedNanos = System.nanoTime();
    private long lastProgressNanos = startedNanos;
    private long bytes;

    UploadRun(TimelineId id, Local local, Path dir, long from, long to, AtomicBoolean stop) {
      this.id = id;
      this.local = local;
      this.dir = dir;
      this.from = from;
      this.to = to;
      this.stop = stop;
    }

    CompletionStage<Done> next(long seg) {
      if (seg == to || stop.get()) {
        finished(seg);
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      int segSize = local.status().walSegSize();
      String name = Lsn.segmentFileName(1, seg, segSize);
      Path file = dir.resolve(name);
      if (!Files.exists(file)) file = dir.resolve(name + ".partial");   // complete but not renamed before a crash
      String key = "wal/" + id.tenantId() + "/" + id.timelineId() + "/" + name;
      Path source = file;
      return store.upload(key, source).thenCompose(done -> {
        bytes += segSize;
        metrics.uploadedBytes.increment(segSize);
        metrics.uploadedObjects.increment();
        local.acceptor().tell(new TimelineAcceptor.BackedUp(Lsn.of((seg + 1) * segSize)));
        progress(seg + 1);
        return next(seg + 1);
      });
    }

    private void progress(long doneUpTo) {
      long now = System.nanoTime();
      if (now - lastProgressNanos < backup.progressEvery().toNanos()) return;
      lastProgressNanos = now;
      LOG.info("WAL backup progress tenant={} timeline={} segments={}/{} bytes={} seconds={}", id.tenantId(), id.timelineId(),
          doneUpTo - from, to - from, bytes, (now - startedNanos) / 1_000_000_000L);
    }

    private void finished(long upTo) {
      if (upTo == from) return;
      double seconds = (System.nanoTime() - startedNanos) / 1e9;
      LOG.info("WAL backup uploaded tenant={} timeline={} segments={} bytes={} seconds={} backup_lsn={}", id.tenantId(),
          id.timelineId(), upTo - from, bytes, String.format("%.2f", seconds), Lsn.of(upTo * local.status().walSegSize()));
    }
  }
}
