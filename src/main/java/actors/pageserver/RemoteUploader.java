package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import store.layer.IndexPart;
import store.layer.IndexPart.RemoteLayer;
import store.layer.LayerInfo;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import wire.xlog.Lsn;

/**
 * Backs one timeline up to object storage (reference pageserver.md §7.4): whenever its metadata
 * changes (a flush, compaction, GC) it uploads the new layer files, then {@code index_part.json} of
 * its generation, then deletes the objects of its own generation that the new index dropped, and
 * publishes remote_consistent_lsn = that index's disk_consistent_lsn. So S3 is consistent at every
 * moment: no index names a layer that is not uploaded, and nothing an index names is deleted.
 * Objects of older generations are never deleted here (their indexes may still name them); once a
 * newer attachment exists this one stops deleting altogether.
 *
 * <p>One cycle runs at a time; a layer that GC or compaction removed locally while it waited ends
 * the cycle, and the next one starts from the new metadata. Failures retry with backoff. Stops with
 * its timeline's writer.
 */
public final class RemoteUploader extends AbstractBehavior<RemoteUploader.Command> {
  public sealed interface Command {}
  private enum Tick implements Command { INSTANCE }
  private enum ProgressTick implements Command { INSTANCE }
  private record Loaded(Optional<RemoteStorage.Found> found, Throwable error) implements Command {}
  private record CycleDone(IndexPart index, List<String> deleted, boolean stale, Throwable error) implements Command {}

  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private record Upload(String name, Path file, long size) {}

  private final ActorContext<Command> ctx;
  private final String tenantId;
  private final String timelineId;
  private final long generation;
  private final TimelineLayers layers;
  private final TimelineHandle handle;
  private final RemoteStorage remote;
  private final Gauge lag;
  /** Layer objects known to exist: those the last index names, and those this attachment uploaded since. */
  private final Map<String, RemoteLayer> uploaded = new HashMap<>();
  private boolean loaded;   // the remote index has been read
  private IndexPart lastIndex;   // the index last read or uploaded; null when the timeline has none yet
  private boolean lastIndexOurs;   // lastIndex is this generation's object (else the first cycle writes ours)
  private boolean busy;
  private boolean staleLogged;
  private long cycleStartNanos;
  private long nextAttemptNanos;
  private Duration backoff = POLL;
  private final AtomicLong progressBytes = new AtomicLong();
  private long cycleBytes;
  private int cycleLayers;

  static Behavior<Command> create(long generation, TimelineHandle handle, TimelineLayers layers, RemoteStorage remote,
      ActorRef<?> writer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, POLL);
      timers.startTimerWithFixedDelay(ProgressTick.INSTANCE, PROGRESS_EVERY);
      ctx.watch(writer);
      return new RemoteUploader(ctx, generation, handle, layers, remote);
    }));
  }

  private RemoteUploader(ActorContext<Command> ctx, long generation, TimelineHandle handle, TimelineLayers layers, RemoteStorage remote) {
    super(ctx);
    this.ctx = ctx;
    this.tenantId = handle.id().tenantId();
    this.timelineId = handle.id().timelineId();
    this.generation = generation;
    this.layers = layers;
    this.handle = handle;
    this.remote = remote;
    this.lag = Gauge.builder("strata_pageserver_remote_upload_lag_bytes", handle,
            h -> Math.max(0, h.lastRecordLsn() - h.info().remoteConsistentLsn()))
        .description("last_record_lsn - remote_consistent_lsn").tag("tenant_id", tenantId).tag("timeline_id", timelineId)
        .register(remote.metrics());
    load();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(ProgressTick.INSTANCE, this::onProgressTick)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(CycleDone.class, this::onCycleDone)
        .onSignal(Terminated.class, t -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          remote.metrics().remove(lag);
          return this;
        })
        .build();
  }

  /** Reads the newest index of this generation or older: what is already in object storage. */
  private void load() {
    busy = true;
    ctx.pipeToSelf(remote.ensureBucket()
            .thenCompose(d -> remote.putAttachMarker(tenantId, generation))
            .thenCompose(d -> remote.latestIndex(tenantId, timelineId, generation)),
        Loaded::new);
  }

  private Behavior<Command> onLoaded(Loaded m) {
    busy = false;
    if (m.error() != null) {
      failed("reading the remote index", m.error());
      return this;
    }
    loaded = true;
    lastIndex = m.found().map(RemoteStorage.Found::index).orElse(null);
    lastIndexOurs = m.found().map(f -> f.generation() == generation).orElse(false);
    if (lastIndex != null) {
      uploaded.putAll(lastIndex.layers());
      handle.publishRemoteConsistentLsn(lastIndex.metadata().diskConsistentLsn());
    }
    backoff = POLL;
    ctx.getLog().info("remote backup ready tenant={} timeline={} generation={} remote_layers={} remote_consistent_lsn={}", tenantId,
        timelineId, generation, uploaded.size(), lastIndex == null ? "none" : Lsn.of(lastIndex.metadata().diskConsistentLsn()));
    return onTick();
  }

  private Behavior<Command> onTick() {
    if (busy || System.nanoTime() < nextAttemptNanos) return this;
    if (!loaded) {
      load();   // the first read failed: try again
      return this;
    }
    TimelineMetadata md = layers.metadata();
    List<Upload> toUpload = new ArrayList<>();
    TreeMap<String, RemoteLayer> indexLayers = new TreeMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (LayerInfo l : layers.layers()) sizes.put(l.name(), l.sizeBytes());
    try {
      for (String name : md.layers()) {
        RemoteLayer known = uploaded.get(name);
        if (known == null) {
          Path file = layers.dir().resolve(name);
          Long size = sizes.get(name);
          long s = size != null ? size : Files.size(file);
          toUpload.add(new Upload(name, file, s));
          known = new RemoteLayer(s, generation);
        }
        indexLayers.put(name, known);
      }
    } catch (IOException e) {
      return this;   // a layer went away between the two reads: the next tick sees the new metadata
    }
    IndexPart next = new IndexPart(md, indexLayers, handle.info().name());
    if (lastIndexOurs && next.equals(lastIndex)) return this;
    startCycle(next, toUpload);
    return this;
  }

  private void startCycle(IndexPart next, List<Upload> toUpload) {
    busy = true;
    cycleStartNanos = System.nanoTime();
    progressBytes.set(0);
    cycleBytes = toUpload.stream().mapToLong(Upload::size).sum();
    cycleLayers = toUpload.size();
    CompletionStage<?> chain = CompletableFuture.completedFuture(null);
    for (Upload u : toUpload) {
      chain = chain.thenCompose(x -> {
        if (!Files.exists(u.file())) {   // compaction or GC removed it since the plan: the next cycle will not need it
          return CompletableFuture.failedFuture(new java.nio.file.NoSuchFileException(u.file().toString()));
        }
        return remote.uploadLayer(tenantId, timelineId, u.name(), generation, u.file(), u.size(), progressBytes);
      }).thenApply(d -> {
        synchronized (uploaded) {   // read again by the actor only after the cycle completes
          uploaded.put(u.name(), new RemoteLayer(u.size(), generation));
        }
        return d;
      });
    }
    // Only objects of this generation are deleted: no older index, and (checked) no newer attachment, names them.
    CompletionStage<CycleDone> done = chain
        .thenCompose(x -> remote.putIndex(tenantId, timelineId, generation, next))
        .thenCompose(x -> {
          List<String> drop = new ArrayList<>();
          synchronized (uploaded) {
            for (Map.Entry<String, RemoteLayer> e : uploaded.entrySet()) {
              if (e.getValue().generation() == generation && !next.layers().containsKey(e.getKey())) drop.add(e.getKey());
            }
          }
          if (drop.isEmpty()) return CompletableFuture.completedFuture(new CycleDone(next, List.of(), false, null));
          return remote.highestAttachGeneration(tenantId).thenCompose(newest -> {
            if (newest > generation) return CompletableFuture.completedFuture(new CycleDone(next, List.of(), true, null));
            CompletionStage<?> deletes = CompletableFuture.completedFuture(null);
            for (String name : drop) deletes = deletes.thenCompose(y -> remote.deleteLayer(tenantId, timelineId, name, generation));
            return deletes.thenApply(y -> new CycleDone(next, drop, false, null));
          });
        });
    ctx.pipeToSelf(done, (d, err) -> err != null ? new CycleDone(null, List.of(), false, err) : d);
  }

  private Behavior<Command> onCycleDone(CycleDone m) {
    busy = false;
    if (m.error() != null) {
      Throwable cause = m.error();
      while (cause.getCause() != null && !(cause instanceof java.nio.file.NoSuchFileException)) cause = cause.getCause();
      if (cause instanceof java.nio.file.NoSuchFileException) {
        ctx.getLog().info("remote upload restarts tenant={} timeline={}: a layer was removed locally: {}", tenantId, timelineId,
            cause.getMessage());
        return this;
      }
      failed("uploading", m.error() instanceof java.util.concurrent.CompletionException && m.error().getCause() != null
          ? m.error().getCause() : m.error());
      return this;
    }
    lastIndex = m.index();
    lastIndexOurs = true;
    for (String name : m.deleted()) uploaded.remove(name);
    handle.publishRemoteConsistentLsn(lastIndex.metadata().diskConsistentLsn());
    backoff = POLL;
    long ms = (System.nanoTime() - cycleStartNanos) / 1_000_000;
    if (m.stale() && !staleLogged) {
      staleLogged = true;
      ctx.getLog().warn("remote backup tenant={} timeline={} generation={}: a newer attachment of the tenant exists; "
          + "this pageserver no longer deletes remote layers", tenantId, timelineId, generation);
    }
    ctx.getLog().debug("remote index uploaded tenant={} timeline={} generation={} layers={} uploaded_layers={} bytes={} deleted={} "
        + "remote_consistent_lsn={} ms={}", tenantId, timelineId, generation, lastIndex.layers().size(), cycleLayers, cycleBytes,
        m.deleted().size(), Lsn.of(lastIndex.metadata().diskConsistentLsn()), ms);
    return this;
  }

  private Behavior<Command> onProgressTick() {
    if (busy && cycleBytes > 0 && System.nanoTime() - cycleStartNanos > PROGRESS_EVERY.toNanos()) {
      ctx.getLog().info("remote upload in progress tenant={} timeline={} layers={} bytes={}/{} seconds={}", tenantId, timelineId,
          cycleLayers, progressBytes.get(), cycleBytes, (System.nanoTime() - cycleStartNanos) / 1_000_000_000);
    }
    return this;
  }

  private void failed(String what, Throwable cause) {
    remote.countUploadFailure();
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    nextAttemptNanos = System.nanoTime() + backoff.toNanos();
    ctx.getLog().warn("remote backup failed tenant={} timeline={} while {}: {}; retry in {} ms", tenantId, timelineId, what,
        cause.toString(), backoff.toMillis());
  }
}
