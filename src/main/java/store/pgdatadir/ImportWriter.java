package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import store.layer.KeyValue;
import wire.keyspace.Directories;
import wire.keyspace.Directories.Db;
import wire.keyspace.Directories.DbDirectory;
import wire.keyspace.Directories.NumberSet;
import wire.keyspace.Directories.RelDirectory;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.RelTag;

/**
 * The values of an import, all at one LSN: pages go to the sink in batches as they are read, so a
 * data directory is never held in memory; metadata (directories, sizes, relmaps, twophase files,
 * pg_control) is collected, since directories are complete only at the end, and written last. The
 * collected metadata also serves reads for the WAL that follows.
 */
final class ImportWriter {
  private final Consumer<List<KeyValue>> sink;
  private final long lsn;
  private final long batchBytes;
  private List<KeyValue> batch = new ArrayList<>();
  private long bytesInBatch;
  private long written;

  private final TreeMap<Key, byte[]> metadata = new TreeMap<>();
  private final TreeMap<Db, Boolean> dbs = new TreeMap<>();
  private final Map<Db, TreeSet<RelFork>> rels = new TreeMap<>();
  private final Map<SlruKind, TreeSet<Integer>> slruSegments = new EnumMap<>(SlruKind.class);
  private final TreeSet<Integer> twoPhase = new TreeSet<>(Integer::compareUnsigned);
  private long relationBlocks;
  private int relationForks;
  private int slruSegmentCount;

  ImportWriter(Consumer<List<KeyValue>> sink, long lsn, long batchBytes) {
    this.sink = sink;
    this.lsn = lsn;
    this.batchBytes = batchBytes;
  }

  void page(Key key, byte[] page) {
    batch.add(new KeyValue(key, lsn, new Value.Image(page)));
    bytesInBatch += page.length;
    if (bytesInBatch >= batchBytes) flush();
  }

  void metadata(Key key, byte[] value) {
    metadata.put(key, value);
  }

  /** A database directory; its relmap flag is set by {@link #relmap}. */
  void database(int spc, int db) {
    dbs.putIfAbsent(new Db(spc, db), false);
    rels.computeIfAbsent(new Db(spc, db), k -> new TreeSet<>());
  }

  void relmap(int spc, int db, byte[] relmap) {
    database(spc, db);
    dbs.put(new Db(spc, db), true);
    metadata(Key.relmap(spc, db), relmap);
  }

  /** A relation fork of {@code nblocks}, whose pages are written with {@link #page}. */
  void relation(RelTag rel, int nblocks) {
    database(rel.spcNode(), rel.dbNode());
    rels.get(new Db(rel.spcNode(), rel.dbNode())).add(new RelFork(rel.relNode(), rel.fork().ordinal()));
    metadata(Key.relSize(rel), Directories.encodeSize(nblocks));
    relationBlocks += Integer.toUnsignedLong(nblocks);
    relationForks++;
  }

  void slruSegment(SlruKind kind, int segno, int npages) {
    slruSegments.computeIfAbsent(kind, k -> new TreeSet<>(Integer::compareUnsigned)).add(segno);
    metadata(Key.slruSegmentSize(kind, segno), Directories.encodeSize(npages));
    slruSegmentCount++;
  }

  void twoPhase(int xid, byte[] state) {
    twoPhase.add(xid);
    metadata(Key.twoPhaseFile(xid), state);
  }

  /** Writes the directories and all other metadata, then the last batch of pages. */
  void finish() {
    metadata(Key.dbDir(), new DbDirectory(dbs).encode());
    rels.forEach((db, forks) -> metadata(Key.relDir(db.spcNode(), db.dbNode()), new RelDirectory(forks).encode()));
    for (SlruKind kind : SlruKind.values()) {
      metadata(Key.slruDir(kind), new NumberSet(slruSegments.getOrDefault(kind, new TreeSet<>())).encode());
    }
    metadata(Key.twoPhaseDir(), new NumberSet(twoPhase).encode());
    metadata.forEach((key, value) -> {
      batch.add(new KeyValue(key, lsn, new Value.Image(value)));
      bytesInBatch += value.length;
      if (bytesInBatch >= batchBytes) flush();
    });
    flush();
  }

  /** Values made after the files (the WAL's), passed through as they are. */
  void sinkDirect(List<KeyValue> values) {
    if (values.isEmpty()) return;
    written += values.size();
    sink.accept(values);
  }

  /** Reads of what was imported: metadata only; pages went to the sink. */
  PageReader metadataReader() {
    return (key, atLsn) -> {
      if (key.isPage()) throw new IOException("an import does not read pages back: " + key);
      return Long.compareUnsigned(atLsn, lsn) >= 0 ? metadata.get(key) : null;
    };
  }

  long relationBlocks() {
    return relationBlocks;
  }

  int relationForks() {
    return relationForks;
  }

  int slruSegmentCount() {
    return slruSegmentCount;
  }

  int twoPhaseCount() {
    return twoPhase.size();
  }

  long written() {
    return written;
  }

  private void flush() {
    if (batch.isEmpty()) return;
    batch.sort(Comparator.comparing(KeyValue::key));
    List<KeyValue> out = batch;
    batch = new ArrayList<>();
    bytesInBatch = 0;
    written += out.size();
    sink.accept(out);
  }
}
