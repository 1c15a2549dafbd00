package store.layer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import store.DurableFile;
import wire.keyspace.Key;

/**
 * A timeline's storage engine: in-memory, frozen and historic layers, its {@code metadata} file, and
 * its ancestor for reads below the branch point. The Timeline actor owns it.
 *
 * <p>Threads: one ingest thread calls {@link #put}, {@link #advance} and {@link #freeze}; the
 * maintenance calls ({@link #flushFrozen}, {@link #compactL0}, {@link #createImageLayers}, {@link
 * #gc}) may run on another thread, one at a time (they serialize on a lock), concurrently with
 * ingest; {@link #history} and the accessors may be called from any thread and never wait: they read
 * a {@link LayerMap} snapshot that every change replaces with one volatile write.
 *
 * <p>Durability: a layer file is complete and fsynced before the metadata lists it; the metadata is
 * durable before the map shows the change; a replaced file is unlinked only after that. Opening
 * deletes layer files the metadata does not list.
 */
public final class TimelineLayers {
  private record RecordLsns(long last, long prev) {}

  private final Path dir;
  private final LayerSettings settings;
  private final TimelineLayers ancestor;
  private final long ancestorLsn;
  private final ReentrantLock maintenance = new ReentrantLock();
  private final Object swap = new Object();
  private volatile LayerMap map;
  private volatile RecordLsns lsns;
  private volatile long diskConsistentLsn;
  private volatile long gcCutoffLsn;   // a copy of the metadata's, for readers that must not wait on swap
  private TimelineMetadata metadata;   // guarded by swap
  private long dirtySinceNanos = -1;   // ingest thread: when the open layer got its first change

  private TimelineLayers(Path dir, LayerSettings settings, TimelineLayers ancestor, TimelineMetadata md, List<LayerFile> historic) {
    this.dir = dir;
    this.settings = settings;
    this.ancestor = ancestor;
    this.ancestorLsn = md.ancestorLsn();
    this.metadata = md;
    this.diskConsistentLsn = md.diskConsistentLsn();
    this.gcCutoffLsn = md.latestGcCutoffLsn();
    this.lsns = new RecordLsns(md.diskConsistentLsn(), md.prevRecordLsn());
    this.map = new LayerMap(new InMemoryLayer(md.diskConsistentLsn() + 1), List.of(), historic);
  }

  /** Creates the timeline directory's metadata (which must list no layers) and opens it. */
  public static TimelineLayers create(Path dir, TimelineMetadata initial, TimelineLayers ancestorOrNull, LayerSettings s)
      throws IOException {
    if (!initial.layers().isEmpty()) throw new IllegalArgumentException("a new timeline has no layers yet: " + initial.layers());
    checkAncestor(dir, initial, ancestorOrNull);
    Files.createDirectories(dir);
    if (Files.exists(dir.resolve(TimelineMetadata.FILE_NAME))) {
      throw new FileAlreadyExistsException(dir.resolve(TimelineMetadata.FILE_NAME).toString(), null, "timeline already exists");
    }
    initial.persist(dir);
    return new TimelineLayers(dir, s, ancestorOrNull, initial, List.of());
  }

  /**
   * Opens a timeline directory: reads its metadata, deletes layer and temp files it does not list
   * (left by a crash), and opens every listed layer. A listed file that is missing is a
   * NoSuchFileException, a damaged one a {@link DurableFile.CorruptFile}, each naming the file.
   */
  public static TimelineLayers open(Path dir, TimelineLayers ancestorOrNull, LayerSettings s) throws IOException {
    TimelineMetadata md = TimelineMetadata.load(dir);
    checkAncestor(dir, md, ancestorOrNull);
    Set<String> listed = new HashSet<>(md.layers());
    boolean deleted = false;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        boolean ours = name.endsWith(LayerWriter.TEMP_SUFFIX) || (LayerName.tryParse(name) != null && !listed.contains(name));
        if (ours) {
          Files.delete(p);
          deleted = true;
        }
      }
    }
    if (deleted) DurableFile.fsyncDirectory(dir);
    List<LayerFile> historic = new ArrayList<>();
    for (String name : md.layers()) {
      Path p = dir.resolve(name);
      if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "layer file listed in the timeline's metadata is missing");
      historic.add(LayerFile.open(p));
    }
    return new TimelineLayers(dir, s, ancestorOrNull, md, historic);
  }

  private static void checkAncestor(Path dir, TimelineMetadata md, TimelineLayers ancestor) {
    if ((md.ancestorTimelineId() != null) != (ancestor != null)) {
      throw new IllegalArgumentException("timeline " + dir + " has ancestor " + md.ancestorTimelineId() + " but was given "
          + (ancestor == null ? "none" : ancestor.dir));
    }
  }

  // --- ingest (one thread) ---

  /** Adds versions to the open layer; they become visible to readers at {@link #advance}. */
  public void put(List<KeyValue> batch) {
    InMemoryLayer open = map.open();
    long last = lsns.last;
    for (KeyValue kv : batch) {
      if (kv.lsn() <= last) {
        throw new IllegalArgumentException("value of " + kv.key() + " at " + LayerName.hex(kv.lsn()) + " is at or below last record LSN "
            + LayerName.hex(last));
      }
      open.put(kv.key(), kv.lsn(), kv.value());
    }
    if (!batch.isEmpty() && dirtySinceNanos < 0) dirtySinceNanos = System.nanoTime();
  }

  /** The WAL is ingested up to {@code lastRecordLsn}; values at or below it are visible to readers. */
  public void advance(long lastRecordLsn, long prevRecordLsn) {
    RecordLsns cur = lsns;
    if (lastRecordLsn < cur.last) {
      throw new IllegalArgumentException("last record LSN cannot move back from " + LayerName.hex(cur.last) + " to " + LayerName.hex(lastRecordLsn));
    }
    lsns = new RecordLsns(lastRecordLsn, prevRecordLsn);
    if (lastRecordLsn > cur.last && dirtySinceNanos < 0) dirtySinceNanos = System.nanoTime();
  }

  /** The open layer holds {@code checkpointDistance} bytes or WAL, or has had changes for {@code checkpointTimeout}. */
  public boolean shouldFreeze() {
    InMemoryLayer open = map.open();
    long wal = lsns.last + 1 - open.startLsn();
    if (wal <= 0) return false;
    return open.bytes() >= settings.checkpointDistance() || wal >= settings.checkpointDistance()
        || (dirtySinceNanos >= 0 && System.nanoTime() - dirtySinceNanos >= settings.checkpointTimeout().toNanos());
  }

  /** Freezes the open layer at last record LSN + 1 (when WAL arrived since it opened) and opens the next. */
  public void freeze() {
    long end = lsns.last + 1;
    InMemoryLayer open = map.open();
    if (end <= open.startLsn()) return;
    open.freeze(end, lsns.prev);
    synchronized (swap) {
      map = map.frozeOpen(new InMemoryLayer(end));
    }
    dirtySinceNanos = -1;
  }

  // --- maintenance (one at a time) ---

  /**
   * {@link #flushFrozen} unless other maintenance (compaction, images, GC) holds the lock: then the
   * frozen layers wait in memory and this returns false at once, so ingest never waits on compaction.
   */
  public boolean tryFlushFrozen() throws IOException {
    if (!maintenance.tryLock()) return false;
    try {
      flushFrozen();
      return true;
    } finally {
      maintenance.unlock();
    }
  }

  /**
   * Writes every frozen layer, oldest first, as an L0 delta (or, for the first flush of an import at
   * initdb LSN, as an image layer), then the metadata with it and disk_consistent_lsn = end − 1.
   */
  public void flushFrozen() throws IOException {
    maintenance.lock();
    try {
      while (!map.frozen().isEmpty()) {
        InMemoryLayer layer = map.frozen().get(0);
        LayerFile written = null;
        if (!layer.isEmpty()) {
          long initdb = metadata().initdbLsn();
          boolean asImage = ancestor == null && map.historic().isEmpty() && layer.onlyImagesAt(initdb);
          try (LayerWriter w = asImage ? LayerWriter.image(dir, initdb) : LayerWriter.delta(dir, layer.startLsn(), layer.endLsn())) {
            layer.writeTo(w);
            written = w.finish(KeyRange.FULL);
          }
        }
        synchronized (swap) {
          LayerMap next = map.flushed(layer, written);
          commit(next, metadata.withDiskConsistent(layer.endLsn() - 1, layer.prevRecordLsn()));
          diskConsistentLsn = layer.endLsn() - 1;
        }
      }
    } finally {
      maintenance.unlock();
    }
  }

  /**
   * Lists the image layers an import wrote for this new, empty timeline: they hold its whole key space
   * at {@code lsn}, which becomes disk_consistent_lsn and last_record_lsn; later values go above it.
   */
  public void installImport(long lsn, List<LayerFile> images) throws IOException {
    maintenance.lock();
    try {
      LayerMap cur = map;
      if (!cur.historic().isEmpty() || !cur.frozen().isEmpty() || !cur.open().isEmpty() || lsns.last >= lsn) {
        throw new IllegalStateException("an import's images go into an empty timeline, but " + dir + " already holds data");
      }
      synchronized (swap) {
        commit(new LayerMap(new InMemoryLayer(lsn + 1), List.of(), images), metadata.withDiskConsistent(lsn, 0));
        diskConsistentLsn = lsn;
        lsns = new RecordLsns(lsn, 0);
      }
    } finally {
      maintenance.unlock();
    }
  }

  /** When there are at least {@code threshold} L0s, merges the oldest contiguous ones into L1 deltas. */
  public void compactL0(int threshold) throws IOException {
    maintenance.lock();
    try {
      List<LayerFile> l0 = map.l0();
      if (l0.size() < Math.max(threshold, 2)) return;
      long limit = Math.max(threshold, 10) * Math.max(settings.checkpointDistance(), 256L << 20);
      List<LayerFile> inputs = L0Compaction.chain(l0, limit);
      if (inputs.isEmpty()) return;
      List<LayerFile> outputs = L0Compaction.merge(dir, inputs, settings.compactionTargetSize());
      replace(inputs, outputs, metadata());
    } finally {
      maintenance.unlock();
    }
  }

  /**
   * Writes image layers at {@code lsn} (at most disk_consistent_lsn) for each key range, materializing
   * every key in it one by one; a null from the materializer means the key does not exist.
   */
  public void createImageLayers(long lsn, List<KeyRange> keyspace, Materializer m) throws IOException {
    maintenance.lock();
    try {
      if (lsn > diskConsistentLsn) {
        throw new IllegalArgumentException("image LSN " + LayerName.hex(lsn) + " is above disk_consistent_lsn " + LayerName.hex(diskConsistentLsn));
      }
      Set<String> existing = new HashSet<>(metadata().layers());
      List<LayerFile> outputs = ImageLayers.write(dir, lsn, keyspace, m, settings.compactionTargetSize(), existing);
      if (!outputs.isEmpty()) replace(List.of(), outputs, metadata());
    } finally {
      maintenance.unlock();
    }
  }

  /**
   * Writes image layers at {@code lsn} (at most disk_consistent_lsn) over whole partitions of the key
   * space, materializing the keys of {@code keyspace} that fall in each.
   */
  public void createImageLayers(long lsn, List<KeyRange> partitions, KeySpace keyspace, Materializer m) throws IOException {
    maintenance.lock();
    try {
      if (lsn > diskConsistentLsn) {
        throw new IllegalArgumentException("image LSN " + LayerName.hex(lsn) + " is above disk_consistent_lsn " + LayerName.hex(diskConsistentLsn));
      }
      Set<String> existing = new HashSet<>(metadata().layers());
      List<LayerFile> outputs = ImageLayers.writePartitions(dir, lsn, partitions, keyspace, m, settings.compactionTargetSize(), existing);
      if (!outputs.isEmpty()) replace(List.of(), outputs, metadata());
    } finally {
      maintenance.unlock();
    }
  }

  /** The partitions with at least {@code threshold} deltas stacked since the last image at or below {@code lsn}. */
  public List<KeyRange> rangesWorthImaging(List<KeyRange> partitions, long lsn, int threshold) {
    return ImageLayers.worthImaging(map, partitions, lsn, threshold);
  }

  /** The partitions where {@code imageCreationThreshold} deltas are stacked since the last image at or below {@code lsn}. */
  public List<KeyRange> rangesWorthImaging(List<KeyRange> partitions, long lsn) {
    return ImageLayers.worthImaging(map, partitions, lsn, settings.imageCreationThreshold());
  }

  /**
   * Removes historic layers no read at or above {@code cutoff} needs (cutoff lowered to
   * disk_consistent_lsn; see {@link GcPlanner}); records the cutoff as latest_gc_cutoff_lsn.
   */
  public GcResult gc(long cutoff, List<Long> retainLsns) throws IOException {
    maintenance.lock();
    try {
      long applied = Math.min(cutoff, diskConsistentLsn);
      int total = map.historic().size();
      List<LayerFile> removed = GcPlanner.removable(map.historic(), applied, retainLsns);
      int byBranches = retainLsns.isEmpty() ? 0 : GcPlanner.removable(map.historic(), applied, List.of()).size() - removed.size();
      TimelineMetadata md = metadata();
      if (applied > md.latestGcCutoffLsn() || !removed.isEmpty()) {
        long kept = Math.max(applied, md.latestGcCutoffLsn());
        gcCutoffLsn = kept;   // readers below it are refused before the layers they might need go
        replace(removed, List.of(), md.withGcCutoff(kept));
      }
      long bytes = 0;
      List<String> names = new ArrayList<>();
      for (LayerFile f : removed) {
        bytes += f.sizeBytes();
        names.add(f.name().toString());
      }
      return new GcResult(applied, names, bytes, map.historic().size(), total, byBranches);
    } finally {
      maintenance.unlock();
    }
  }

  /** Swaps historic layers with metadata written first, then unlinks the removed files. */
  private void replace(Collection<LayerFile> removed, Collection<LayerFile> added, TimelineMetadata base) throws IOException {
    synchronized (swap) {
      commit(map.replaced(removed, added), base);
    }
    for (LayerFile f : removed) Files.deleteIfExists(f.path());
    if (!removed.isEmpty()) DurableFile.fsyncDirectory(dir);
  }

  /** Persists {@code md} with the layers of {@code next}, then publishes {@code next}. Holds swap. */
  private void commit(LayerMap next, TimelineMetadata md) throws IOException {
    List<String> names = new ArrayList<>();
    for (LayerFile f : next.historic()) names.add(f.name().toString());
    TimelineMetadata m = md.withLayers(names);
    m.persist(dir);
    metadata = m;
    map = next;
  }

  // --- reads (any thread) ---

  /** The versions of {@code key} at or below {@code lsn}, newest first, crossing into the ancestor (see {@link ValueHistory}). */
  public ValueHistory history(Key key, long lsn) throws IOException {
    return HistoryReader.read(this, key, lsn);
  }

  public long lastRecordLsn() {
    return lsns.last;
  }

  /** The previous record's start when {@code lsn} is the last record LSN (read together), else 0: unknown. */
  public long prevRecordLsnAt(long lsn) {
    RecordLsns cur = lsns;
    return cur.last == lsn ? cur.prev : 0;
  }

  public long prevRecordLsn() {
    return lsns.prev;
  }

  public long diskConsistentLsn() {
    return diskConsistentLsn;
  }

  /** latest_gc_cutoff_lsn: reads below it may find versions removed. */
  public long gcCutoffLsn() {
    return gcCutoffLsn;
  }

  /**
   * The lowest LSN every key can still be read at: this timeline's GC cutoff, and below the branch
   * point what the ancestor still holds (its branch point itself is always kept).
   */
  public long lowestReadableLsn() {
    long below = ancestor == null ? metadata().initdbLsn() : Math.min(ancestor.lowestReadableLsn(), ancestorLsn);
    return Math.max(gcCutoffLsn, below);
  }

  public long ancestorLsn() {
    return ancestorLsn;
  }

  public TimelineLayers ancestor() {
    return ancestor;
  }

  public Path dir() {
    return dir;
  }

  /** The metadata as last written. */
  public TimelineMetadata metadata() {
    synchronized (swap) {
      return metadata;
    }
  }

  /** The current snapshot of layers. */
  public LayerMap layerMap() {
    return map;
  }

  /** The historic layer files. */
  public List<LayerInfo> layers() {
    List<LayerInfo> out = new ArrayList<>();
    for (LayerFile f : map.historic()) out.add(LayerInfo.of(f));
    return out;
  }

  /** Bytes of all historic layer files. */
  public long physicalSize() {
    long n = 0;
    for (LayerFile f : map.historic()) n += f.sizeBytes();
    return n;
  }
}
