package actors.pageserver;

import actors.safekeeper.TimelineId;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import store.layer.TimelineLayers;
import store.layer.ValueHistory;
import store.pgdatadir.Datadir;
import store.pgdatadir.LsnByTimestamp;
import store.pgdatadir.PageReader;
import store.redo.PageReconstructor;
import store.redo.ReconstructFailed;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.xlog.Lsn;

/**
 * The read side of one timeline, shared by the page service, basebackup and HTTP: layer lookups,
 * page reconstruction and waiting for LSNs. Thread-safe; reads never wait on the Timeline actor,
 * which is the only writer of the layers.
 */
public final class TimelineHandle implements PageReader {
  private final TimelineId id;
  private final TimelineLayers layers;
  private final LsnWaiter lsns;
  private final PageReconstructor reconstructor;
  private final Executor blocking;
  private final Duration waitTimeout;
  private final RecentWal recentWal;
  private volatile TimelineInfo info;
  private volatile long remoteConsistentLsn;   // the RemoteUploader's: kept apart so the writer's publishes cannot undo it

  public TimelineHandle(TimelineId id, TimelineLayers layers, LsnWaiter lsns, PageReconstructor reconstructor,
      Executor blocking, Duration waitTimeout, RecentWal recentWal, TimelineInfo info) {
    this.id = id;
    this.layers = layers;
    this.lsns = lsns;
    this.reconstructor = reconstructor;
    this.blocking = blocking;
    this.waitTimeout = waitTimeout;
    this.recentWal = recentWal;
    this.info = info;
  }

  public TimelineId id() {
    return id;
  }

  /** What the Timeline actor published, with the GC cutoff and physical size as they are now (GC and compaction change them). */
  public TimelineInfo info() {
    TimelineInfo i = info.withGcCutoffAndSize(layers.gcCutoffLsn(), layers.physicalSize());
    long remote = remoteConsistentLsn;
    return i.remoteConsistentLsn() == remote ? i : i.withRemoteConsistentLsn(remote);
  }

  TimelineLayers layers() {
    return layers;
  }

  /** The disk_consistent_lsn of the last index that finished uploading; it only moves forward. */
  void publishRemoteConsistentLsn(long lsn) {
    if (Long.compareUnsigned(lsn, remoteConsistentLsn) > 0) remoteConsistentLsn = lsn;
  }

  void publish(TimelineInfo next) {
    info = next;
  }

  public long lastRecordLsn() {
    return lsns.last();
  }

  /** Completes once the timeline has ingested WAL up to {@code lsn}, or fails after the wait timeout. */
  public CompletionStage<Long> waitFor(long lsn) {
    return lsns.waitFor(lsn, waitTimeout, "timeline " + id);
  }

  /** The same with its own timeout (a short grace rather than the page service's wait). */
  public CompletionStage<Long> waitFor(long lsn, Duration timeout) {
    return lsns.waitFor(lsn, timeout, "timeline " + id);
  }

  /** The oldest LSN reads may ask for. */
  public long gcCutoff() {
    return layers.gcCutoffLsn();
  }

  /**
   * The LSN of a point in time (blocking: reads CLOG pages at the LSNs it probes), searched between the
   * lowest LSN still readable and last_record_lsn; GC uses it for pitr_interval.
   */
  public LsnByTimestamp.Answer lsnByTimestamp(java.time.Instant t) throws IOException {
    long last = lsns.last();
    long low = Math.min(layers.lowestReadableLsn(), last);
    return LsnByTimestamp.find(datadir(last), low, last, t);
  }

  /** A key materialized at an LSN, on the blocking executor (lookups may fault in pages; redo waits on a worker). */
  public CompletionStage<byte[]> getAsync(Key key, long lsn) {
    ValueHistory h;
    try {
      h = layers.history(key, lsn);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (h.isEmpty() || h.isImage()) return CompletableFuture.completedFuture(newestImageOrNull(h));
    return CompletableFuture.supplyAsync(() -> {
      try {
        return reconstructor.reconstruct(h);
      } catch (ReconstructFailed e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, blocking);
  }

  /** {@link PageReader}: the same, blocking the caller (ingest, basebackup, imports). */
  @Override
  public byte[] get(Key key, long lsn) throws IOException {
    ValueHistory h = layers.history(key, lsn);
    if (h.isEmpty() || h.isImage()) return newestImageOrNull(h);
    try {
      return reconstructor.reconstruct(h);
    } catch (ReconstructFailed e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * {@link PageReader}: runs of blocks read straight from image layers where no newer version
   * covers them; the other blocks through {@link #get}.
   */
  @Override
  public store.pgdatadir.BlockRuns blockRuns(long lsn) {
    return new store.pgdatadir.LayerBlockRuns(layers, lsn, this);
  }

  /** Without redo: the newest version when it is an image, null when there is none. */
  private static byte[] newestImageOrNull(ValueHistory h) {
    return h.isEmpty() ? null : ((Value.Image) h.newestFirst().get(0).value()).bytes();
  }

  /**
   * What a basebackup at {@code lsn} needs besides the data: the previous record (known only at the
   * tip) and the real WAL bytes before it, when this pageserver still has them.
   */
  public store.pgdatadir.BasebackupParams basebackupParams(long lsn, boolean readOnly) {
    var p = store.pgdatadir.BasebackupParams.at(Lsn.of(lsn), Lsn.of(layers.prevRecordLsnAt(lsn)), recentWal::read);
    return readOnly ? p.asReadOnly() : p;
  }

  public Datadir datadir(long lsn) {
    return new Datadir(this, lsn);
  }

  @Override
  public String toString() {
    return id + " at " + Lsn.of(lsns.last());
  }
}
