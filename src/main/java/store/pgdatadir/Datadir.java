package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import wire.keyspace.Directories;
import wire.keyspace.Directories.Db;
import wire.keyspace.Directories.DbDirectory;
import wire.keyspace.Directories.NumberSet;
import wire.keyspace.Directories.RelDirectory;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/**
 * A data directory as of one LSN, read through the key space (reference pageserver.md §2, §3.4):
 * databases, relations and their sizes, pages, SLRU segments, prepared transactions, pg_control.
 * Ingest, basebackup and the page service read through it.
 */
public final class Datadir {
  public static final int PAGE_SIZE = 8192;
  private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

  private final PageReader reader;
  private final long lsn;

  public Datadir(PageReader reader, long lsn) {
    this.reader = reader;
    this.lsn = lsn;
  }

  public long lsn() {
    return lsn;
  }

  public Datadir at(long otherLsn) {
    return new Datadir(reader, otherLsn);
  }

  public byte[] get(Key key) throws IOException {
    return reader.get(key, lsn);
  }

  /** Relation blocks a run at a time (basebackup). */
  public BlockRuns blockRuns() {
    return reader.blockRuns(lsn);
  }

  public DbDirectory dbDirectory() throws IOException {
    byte[] v = get(Key.dbDir());
    return v == null ? DbDirectory.EMPTY : DbDirectory.decode(v);
  }

  public RelDirectory relDirectory(int spc, int db) throws IOException {
    byte[] v = get(Key.relDir(spc, db));
    return v == null ? RelDirectory.EMPTY : RelDirectory.decode(v);
  }

  public boolean relExists(RelTag rel) throws IOException {
    return relDirectory(rel.spcNode(), rel.dbNode()).rels().contains(new RelFork(rel.relNode(), rel.fork().ordinal()));
  }

  /** The size in blocks, or -1 when the relation fork does not exist. */
  public int relSizeOrMinusOne(RelTag rel) throws IOException {
    byte[] v = get(Key.relSize(rel));
    return v == null ? -1 : Directories.decodeSize(v);
  }

  /** The size in blocks; a missing FSM or VM fork has size 0 (PostgreSQL asks right after creating it). */
  public int relSize(RelTag rel) throws IOException {
    int n = relSizeOrMinusOne(rel);
    if (n >= 0) return n;
    if (rel.fork() == ForkNumber.FSM || rel.fork() == ForkNumber.VM) return 0;
    throw new NoSuchRelation(rel, lsn);
  }

  /** A relation page; blocks at or beyond the size are all zeros, as PostgreSQL reads them. */
  public byte[] page(RelTag rel, int blkno) throws IOException {
    int size = relSize(rel);
    if (Integer.compareUnsigned(blkno, size) >= 0) return ZERO_PAGE.clone();
    byte[] v = get(Key.relBlock(rel, blkno));
    return v == null ? ZERO_PAGE.clone() : v;
  }

  /** Bytes of every relation of a database (its size as {@code pg_database_size} would count the files). */
  public long dbSize(int spc, int db) throws IOException {
    long blocks = 0;
    for (RelFork r : relDirectory(spc, db).rels()) {
      int n = relSizeOrMinusOne(new RelTag(spc, db, r.relNode(), ForkNumber.ofNumber(r.fork())));
      if (n > 0) blocks += Integer.toUnsignedLong(n);
    }
    return blocks * PAGE_SIZE;
  }

  public byte[] relmap(int spc, int db) throws IOException {
    return get(Key.relmap(spc, db));
  }

  public NumberSet slruSegments(SlruKind kind) throws IOException {
    byte[] v = get(Key.slruDir(kind));
    return v == null ? NumberSet.EMPTY : NumberSet.decode(v);
  }

  public int slruSegmentSize(SlruKind kind, int segno) throws IOException {
    byte[] v = get(Key.slruSegmentSize(kind, segno));
    return v == null ? 0 : Directories.decodeSize(v);
  }

  /** An SLRU page, cut to 8 KiB (CLOG pages may carry a commit-timestamp trailer). */
  public byte[] slruPage(SlruKind kind, int segno, int blkno) throws IOException {
    byte[] v = get(Key.slruBlock(kind, segno, blkno));
    if (v == null) return ZERO_PAGE.clone();
    return v.length == PAGE_SIZE ? v : java.util.Arrays.copyOf(v, PAGE_SIZE);
  }

  public NumberSet twoPhaseXids() throws IOException {
    byte[] v = get(Key.twoPhaseDir());
    return v == null ? NumberSet.EMPTY : NumberSet.decode(v);
  }

  public byte[] twoPhaseFile(int xid) throws IOException {
    return get(Key.twoPhaseFile(xid));
  }

  public byte[] controlFile() throws IOException {
    return get(Key.controlFile());
  }

  public byte[] checkpoint() throws IOException {
    return get(Key.checkpoint());
  }

  /** Every relation fork of every database. */
  public List<RelTag> relations() throws IOException {
    List<RelTag> out = new ArrayList<>();
    for (Db db : dbDirectory().dbs().keySet()) {
      for (RelFork r : relDirectory(db.spcNode(), db.dbNode()).rels()) {
        out.add(new RelTag(db.spcNode(), db.dbNode(), r.relNode(), ForkNumber.ofNumber(r.fork())));
      }
    }
    return out;
  }

  /** A relation that does not exist at this LSN. */
  public static final class NoSuchRelation extends IOException {
    public NoSuchRelation(RelTag rel, long lsn) {
      super("relation " + rel + " does not exist at " + wire.xlog.Lsn.of(lsn));
    }
  }
}
