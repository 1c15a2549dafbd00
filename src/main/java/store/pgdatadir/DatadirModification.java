package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The values of one or more WAL records (or of an import) waiting to be stored, each stamped with
 * the LSN set by {@link #setLsn} — a record's end LSN (pageserver.md §3.1). Metadata keys
 * (directories, sizes, relmaps, twophase files, checkpoint) read back what was written before in this
 * modification, then fall through to the {@link Datadir} it was made over, read at the current LSN;
 * page writes are not read back. {@link #drain()} hands the values over in (key, LSN) order.
 *
 * <p>A modification may live across many drains: it keeps the metadata it has read or written as a
 * cache, which stays right as long as whatever is drained is stored and nothing else writes the
 * timeline. Deleting a relation, database, segment or twophase file only edits the directory (and
 * this cache): storage never deletes, and readers go through the directories. After an exception
 * in the middle of a record, discard the modification.
 */
public final class DatadirModification {
  private static final byte[] ABSENT = new byte[0]; // cache marker: the key has no value (compared by identity)

  private final Datadir base;
  private final Consumer<List<KeyValue>> commitSink;
  /** A run of writes at one LSN this long gets an index: a FILE_COPY or a long extension writes thousands. */
  private static final int SCAN_LIMIT = 16;
  private static final java.util.Comparator<KeyValue> BY_KEY = java.util.Comparator.comparing(KeyValue::key);

  // Pending values in write order: LSNs never go back, so sorting by key alone (stably) at drain
  // gives (key, LSN) order. Only writes at the current LSN can be replaced; they start at sameLsnFrom.
  private ArrayList<KeyValue> pending = new ArrayList<>();
  private int sameLsnFrom;
  private HashMap<Key, Integer> sameLsnIndex;   // built once the current LSN's run passes SCAN_LIMIT
  private final Map<Key, byte[]> metadata = new HashMap<>();
  private final Map<Key, RelDirectory> relDirs = new HashMap<>();
  private long lsn;
  private long blocksDelta;
  private int pendingValues;
  private int pendingPages;
  private long pendingBytes;

  /** Reads fall through to {@code base} (at this modification's current LSN). */
  public DatadirModification(Datadir base) {
    this(base, null);
  }

  /**
   * With a sink for {@link #commit()}: ingest of a FILE_COPY database creation commits pending
   * values there before it reads the source pages back through {@code base}.
   */
  public DatadirModification(Datadir base, Consumer<List<KeyValue>> commitSink) {
    this.base = base;
    this.commitSink = commitSink;
    this.lsn = base.lsn();
  }

  /** Stamps the following writes; LSNs never go backwards. */
  public void setLsn(long newLsn) {
    if (Long.compareUnsigned(newLsn, lsn) < 0) {
      throw new IllegalArgumentException("LSN " + wire.xlog.Lsn.of(newLsn) + " is before " + wire.xlog.Lsn.of(lsn));
    }
    if (newLsn != lsn) {
      sameLsnFrom = pending.size();
      sameLsnIndex = null;
    }
    lsn = newLsn;
  }

  public long lsn() {
    return lsn;
  }

  /** Stores a value at the current LSN; a second write of the same key at the same LSN replaces the first. */
  public void put(Key key, Value value) {
    boolean page = key.isPage();
    if (!page && !(value instanceof Value.Image)) {
      throw new IllegalArgumentException("metadata key " + key + " takes images only, got " + value.getClass().getSimpleName());
    }
    KeyValue kv = new KeyValue(key, lsn, value);
    int at = indexAtThisLsn(key);
    if (at < 0) {
      if (sameLsnIndex != null) sameLsnIndex.put(key, pending.size());
      pending.add(kv);
      pendingValues++;
      if (page) pendingPages++;
    } else {
      pendingBytes -= approximateSize(pending.set(at, kv).value());
    }
    pendingBytes += approximateSize(value);
    if (!page) {
      metadata.put(key, ((Value.Image) value).bytes());
      relDirs.remove(key);
    }
  }

  /** Where {@code key} was written at the current LSN, or -1. */
  private int indexAtThisLsn(Key key) {
    if (sameLsnIndex == null) {
      int n = pending.size();
      if (n - sameLsnFrom <= SCAN_LIMIT) {
        for (int i = sameLsnFrom; i < n; i++) {
          if (pending.get(i).key().equals(key)) return i;
        }
        return -1;
      }
      sameLsnIndex = new HashMap<>();
      for (int i = sameLsnFrom; i < n; i++) sameLsnIndex.put(pending.get(i).key(), i);
    }
    Integer i = sameLsnIndex.get(key);
    return i == null ? -1 : i;
  }

  /**
   * A metadata key's bytes as of the current LSN, this modification's writes included; null when it
   * has none. A page key is read from {@code base} only: pending page writes are not visible.
   */
  public byte[] get(Key key) throws IOException {
    if (key.isPage()) return base.at(lsn).get(key);
    byte[] cached = metadata.get(key);
    if (cached == null) {
      cached = base.at(lsn).get(key);
      metadata.put(key, cached == null ? ABSENT : cached);
      return cached;
    }
    return cached == ABSENT ? null : cached;
  }

  /** Typed reads through this modification as of its current LSN (pages come from {@code base}). */
  public Datadir view() {
    return new Datadir((key, ignoredLsn) -> get(key), lsn);
  }

  // --- draining ---

  /** The pending values in (key, LSN) order, each key's LSNs ascending; the modification is then empty. */
  public List<KeyValue> drain() {
    List<KeyValue> out = pending;
    out.sort(BY_KEY);   // stable: each key's LSNs stay ascending
    pending = new ArrayList<>();
    sameLsnFrom = 0;
    sameLsnIndex = null;
    pendingValues = 0;
    pendingPages = 0;
    pendingBytes = 0;
    return out;
  }

  /** Drains into the commit sink given at construction. */
  public void commit() {
    if (commitSink == null) {
      throw new IllegalStateException("this modification has no commit sink; pending values at " + wire.xlog.Lsn.of(lsn)
          + " must be stored before pages can be read back");
    }
    commitSink.accept(drain());
  }

  public boolean canCommit() {
    return commitSink != null;
  }

  public boolean isEmpty() {
    return pendingValues == 0;
  }

  /** Pending (key, LSN) values. */
  public int size() {
    return pendingValues;
  }

  /** Pending values of relation or SLRU pages. */
  public int pendingPages() {
    return pendingPages;
  }

  /** Roughly the bytes pending, for deciding when to drain. */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** Relation blocks added minus blocks removed by this modification so far (the logical size change). */
  public long blocksDelta() {
    return blocksDelta;
  }

  // --- databases and relations ---

  public DbDirectory dbDirectory() throws IOException {
    byte[] v = get(Key.dbDir());
    return v == null ? DbDirectory.EMPTY : DbDirectory.decode(v);
  }

  public RelDirectory relDirectory(int spc, int db) throws IOException {
    Key key = Key.relDir(spc, db);
    RelDirectory dir = relDirs.get(key);
    if (dir == null) {
      byte[] v = get(key);
      dir = v == null ? RelDirectory.EMPTY : RelDirectory.decode(v);
      relDirs.put(key, dir);
    }
    return dir;
  }

  /** The fork's size in blocks, or -1 when its database's directory does not list it. */
  public int relSizeOrMinusOne(RelTag rel) throws IOException {
    Key sizeKey = Key.relSize(rel);
    byte[] cached = metadata.get(sizeKey);
    if (cached == null) {
      if (!relDirectory(rel.spcNode(), rel.dbNode()).rels().contains(relFork(rel))) {
        metadata.put(sizeKey, ABSENT);
        return -1;
      }
      cached = get(sizeKey);
      if (cached == null) throw new IOException("relation " + rel + " is listed but has no size at " + wire.xlog.Lsn.of(lsn));
    }
    return cached == ABSENT ? -1 : Directories.decodeSize(cached);
  }

  public boolean relExists(RelTag rel) throws IOException {
    return relSizeOrMinusOne(rel) >= 0;
  }

  /**
   * Creates a relation fork of {@code nblocks} (their pages are the caller's to write); adds its
   * database, with no relmap yet, when it is the first. Returns false, changing nothing, if it exists.
   */
  public boolean createRelation(RelTag rel, int nblocks) throws IOException {
    if (relExists(rel)) return false;
    RelDirectory dir = ensureDatabase(rel.spcNode(), rel.dbNode(), false);
    putRelDirectory(rel.spcNode(), rel.dbNode(), dir.with(relFork(rel)));
    put(Key.relSize(rel), new Value.Image(Directories.encodeSize(nblocks)));
    blocksDelta += Integer.toUnsignedLong(nblocks);
    return true;
  }

  /** Sets an existing fork's size (growing or shrinking); the block count follows. */
  public void setRelationSize(RelTag rel, int nblocks) throws IOException {
    int old = relSizeOrMinusOne(rel);
    if (old < 0) throw new IllegalStateException("relation " + rel + " does not exist at " + wire.xlog.Lsn.of(lsn));
    if (old == nblocks) return;
    put(Key.relSize(rel), new Value.Image(Directories.encodeSize(nblocks)));
    blocksDelta += Integer.toUnsignedLong(nblocks) - Integer.toUnsignedLong(old);
  }

  /** Removes a fork from its directory; false if it did not exist. */
  public boolean dropRelation(RelTag rel) throws IOException {
    int size = relSizeOrMinusOne(rel);
    if (size < 0) return false;
    putRelDirectory(rel.spcNode(), rel.dbNode(), relDirectory(rel.spcNode(), rel.dbNode()).without(relFork(rel)));
    metadata.put(Key.relSize(rel), ABSENT);
    blocksDelta -= Integer.toUnsignedLong(size);
    return true;
  }

  /**
   * Stores a database's relmap file, marking the database as having one; a database new to the
   * directory starts with no relations (reference §3.3 RELMAP).
   */
  public void putRelmap(int spc, int db, byte[] relmap) throws IOException {
    ensureDatabase(spc, db, true);
    put(Key.relmap(spc, db), new Value.Image(relmap));
  }

  /** Removes a database and its relations from the directories; false if it was not listed. */
  public boolean dropDatabase(int spc, int db) throws IOException {
    DbDirectory dbs = dbDirectory();
    Db key = new Db(spc, db);
    if (!dbs.dbs().containsKey(key)) return false;
    for (RelFork r : relDirectory(spc, db).rels()) {
      RelTag rel = new RelTag(spc, db, r.relNode(), wire.pgdata.ForkNumber.ofNumber(r.fork()));
      blocksDelta -= Integer.toUnsignedLong(Math.max(0, relSizeOrMinusOne(rel)));
      metadata.put(Key.relSize(rel), ABSENT);
    }
    put(Key.dbDir(), new Value.Image(dbs.without(key).encode()));
    putRelDirectory(spc, db, RelDirectory.EMPTY); // a later database with this OID starts empty
    return true;
  }

  /** The database's relation directory, adding the database first if needed (or setting its relmap flag). */
  private RelDirectory ensureDatabase(int spc, int db, boolean relmapExists) throws IOException {
    DbDirectory dbs = dbDirectory();
    Db key = new Db(spc, db);
    Boolean had = dbs.dbs().get(key);
    if (had == null) {
      put(Key.dbDir(), new Value.Image(dbs.with(key, relmapExists).encode()));
      putRelDirectory(spc, db, RelDirectory.EMPTY);
      return RelDirectory.EMPTY;
    }
    if (relmapExists && !had) put(Key.dbDir(), new Value.Image(dbs.with(key, true).encode()));
    return relDirectory(spc, db);
  }

  private void putRelDirectory(int spc, int db, RelDirectory dir) {
    Key key = Key.relDir(spc, db);
    put(key, new Value.Image(dir.encode()));
    relDirs.put(key, dir);
  }

  private static RelFork relFork(RelTag rel) {
    return new RelFork(rel.relNode(), rel.fork().ordinal());
  }

  // --- SLRU segments ---

  public NumberSet slruSegments(SlruKind kind) throws IOException {
    byte[] v = get(Key.slruDir(kind));
    return v == null ? NumberSet.EMPTY : NumberSet.decode(v);
  }

  /** The segment's size in pages, or -1 when the SLRU directory does not list it. */
  public int slruSegmentSizeOrMinusOne(SlruKind kind, int segno) throws IOException {
    Key sizeKey = Key.slruSegmentSize(kind, segno);
    byte[] cached = metadata.get(sizeKey);
    if (cached == null) {
      if (!slruSegments(kind).numbers().contains(segno)) {
        metadata.put(sizeKey, ABSENT);
        return -1;
      }
      cached = get(sizeKey);
      if (cached == null) throw new IOException(kind + " segment " + segno + " is listed but has no size");
    }
    return cached == ABSENT ? -1 : Directories.decodeSize(cached);
  }

  public void createSlruSegment(SlruKind kind, int segno, int npages) throws IOException {
    NumberSet segs = slruSegments(kind);
    if (!segs.numbers().contains(segno)) put(Key.slruDir(kind), new Value.Image(segs.with(segno).encode()));
    put(Key.slruSegmentSize(kind, segno), new Value.Image(Directories.encodeSize(npages)));
  }

  public void setSlruSegmentSize(SlruKind kind, int segno, int npages) {
    put(Key.slruSegmentSize(kind, segno), new Value.Image(Directories.encodeSize(npages)));
  }

  public boolean dropSlruSegment(SlruKind kind, int segno) throws IOException {
    NumberSet segs = slruSegments(kind);
    if (!segs.numbers().contains(segno)) return false;
    put(Key.slruDir(kind), new Value.Image(segs.without(segno).encode()));
    metadata.put(Key.slruSegmentSize(kind, segno), ABSENT);
    return true;
  }

  // --- prepared transactions, checkpoint ---

  public NumberSet twoPhaseXids() throws IOException {
    byte[] v = get(Key.twoPhaseDir());
    return v == null ? NumberSet.EMPTY : NumberSet.decode(v);
  }

  /** Stores a prepared transaction's state (the file body without its CRC). */
  public void putTwoPhase(int xid, byte[] state) throws IOException {
    NumberSet xids = twoPhaseXids();
    if (!xids.numbers().contains(xid)) put(Key.twoPhaseDir(), new Value.Image(xids.with(xid).encode()));
    put(Key.twoPhaseFile(xid), new Value.Image(state));
  }

  public boolean dropTwoPhase(int xid) throws IOException {
    NumberSet xids = twoPhaseXids();
    if (!xids.numbers().contains(xid)) return false;
    put(Key.twoPhaseDir(), new Value.Image(xids.without(xid).encode()));
    metadata.put(Key.twoPhaseFile(xid), ABSENT);
    return true;
  }

  public void putCheckpoint(byte[] checkpoint) {
    put(Key.checkpoint(), new Value.Image(checkpoint));
  }

  private static long approximateSize(Value v) {
    if (v instanceof Value.Image i) return i.bytes().length + 32L;
    if (v instanceof Value.PgRecord r) return r.record().length + 48L;
    return 64;
  }
}
