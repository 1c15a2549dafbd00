package store.pgdatadir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import store.pgdatadir.BasebackupException.Inconsistent;
import store.pgdatadir.BasebackupException.UnsupportedTablespace;
import wire.keyspace.Directories.Db;
import wire.keyspace.Directories.DbDirectory;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.CheckPoint;
import wire.pgdata.Clog;
import wire.pgdata.ForkNumber;
import wire.pgdata.MultiXactSlru;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;
import wire.xlog.Lsn;
import wire.xlog.encode.WalStreamEncoder;

/**
 * A tar of a complete PostgreSQL 15 data directory as of LSN L, read from the key space, from
 * which a vanilla server starts with no recovery and continues the WAL at L (start-at-lsn.md;
 * pageserver.md §6.2, §11.2). Files are streamed a page at a time, relation files a run of blocks
 * at a time ({@link BlockRuns}: a store may copy them straight from image layers); only the WAL
 * segment holding the checkpoint record is built in memory. Blocking; the caller owns {@code out},
 * which should buffer, and closes it.
 *
 * <p>Order: directories, config files (and {@code standby.signal}), SLRUs, each database's
 * PG_VERSION, relmap and relation files, prepared transactions, then {@code global/pg_control}
 * and the WAL segment last, so that a tar cut short cannot start.
 */
public final class Basebackup {
  /** The major version written into PG_VERSION files. */
  public static final String PG_VERSION = "15";
  /** Every directory of an initdb'd PGDATA (base/<db> follow per database). */
  static final List<String> DIRECTORIES = List.of("global", "pg_wal", "pg_wal/archive_status", "pg_commit_ts",
      "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans", "pg_twophase", "pg_multixact",
      "pg_multixact/members", "pg_multixact/offsets", "base", "pg_replslot", "pg_tblspc", "pg_stat", "pg_stat_tmp",
      "pg_xact", "pg_logical", "pg_logical/snapshots", "pg_logical/mappings");
  /** Trust on the local socket and loopback, replication included; the compute is reached through its controller. */
  static final String PG_HBA = String.join("\n",
      "# written by strata basebackup",
      "local   all           all                    trust",
      "host    all           all    127.0.0.1/32    trust",
      "host    all           all    ::1/128         trust",
      "local   replication   all                    trust",
      "host    replication   all    127.0.0.1/32    trust",
      "host    replication   all    ::1/128         trust", "");
  static final int RELMAP_SIZE = 512;
  private static final byte[] ZERO_PAGE = new byte[Datadir.PAGE_SIZE];
  private static final byte[] ZERO_WAL_PAGE = new byte[Lsn.WAL_PAGE_SIZE];

  private Basebackup() {}

  /**
   * Streams the tar of {@code dd} (which must be at {@code p.lsn()}) into {@code out}. The request
   * is checked and the WAL prepared before the first byte is written.
   */
  public static void write(Datadir dd, BasebackupParams p, OutputStream out) throws IOException {
    if (dd.lsn() != p.lsn().value()) {
      throw new IllegalArgumentException("the data directory reads at " + Lsn.of(dd.lsn()) + ", the basebackup asks for " + p.lsn());
    }
    Instant now = Instant.now();
    ShutdownPoint start = ShutdownPoint.plan(dd, p, now.getEpochSecond());
    DbDirectory dbs = dd.dbDirectory();
    for (Db db : dbs.dbs().keySet()) {
      if (!isSupported(db.spcNode()) && !dd.relDirectory(db.spcNode(), db.dbNode()).rels().isEmpty()) {
        throw new UnsupportedTablespace(db.spcNode(), db.dbNode());
      }
    }

    // whole seconds: a fractional mtime would add a PAX header to every entry
    TarWriter tar = new TarWriter(out, FileTime.from(now.getEpochSecond(), TimeUnit.SECONDS));
    for (String dir : DIRECTORIES) tar.directory(dir);
    tar.file("pg_hba.conf", PG_HBA.getBytes(StandardCharsets.US_ASCII));
    tar.file("pg_ident.conf", new byte[0]);
    tar.file("postgresql.auto.conf", new byte[0]);
    // Early, not next to pg_control: a tar cut short must never start a read-only compute as a primary.
    if (p.readOnly()) tar.file("standby.signal", new byte[0]);
    writeSlrus(dd, start.checkpoint(), tar);
    BlockRuns runs = dd.blockRuns();   // one plan of the layers for every relation
    for (Map.Entry<Db, Boolean> e : dbs.dbs().entrySet()) writeDatabase(dd, runs, e.getKey(), e.getValue(), tar);
    writeTwoPhase(dd, tar);
    tar.file("global/pg_control", start.controlFile());
    for (WalStreamEncoder.Segment s : start.walSegments()) {
      int length = p.noWalPadding() ? withoutZeroTail(s.bytes()) : s.bytes().length;
      tar.begin("pg_wal/" + s.fileName(), length);
      tar.write(s.bytes(), length);
      tar.end();
    }
    tar.finish();
  }

  /** The length of {@code segment} up to the end of its last WAL page that is not all zeros. */
  static int withoutZeroTail(byte[] segment) {
    int page = Lsn.WAL_PAGE_SIZE;
    for (int end = (segment.length + page - 1) / page * page; end > 0; end -= page) {
      int from = end - page, to = Math.min(end, segment.length);
      // a page at a time, vectorized: a byte-by-byte scan of a mostly empty 16 MiB segment shows in the profile
      if (Arrays.mismatch(segment, from, to, ZERO_WAL_PAGE, 0, to - from) >= 0) return end;
    }
    return 0;
  }

  private static boolean isSupported(int spc) {
    return spc == RelTag.DEFAULT_TABLESPACE_OID || spc == RelTag.GLOBAL_TABLESPACE_OID;
  }

  /**
   * pg_xact and pg_multixact, pages cut to 8 KiB. The pages holding nextXid, nextMulti and
   * nextMultiOffset must exist (zeros if never written): startup reads them outside recovery.
   */
  private static void writeSlrus(Datadir dd, CheckPoint cp, TarWriter tar) throws IOException {
    writeSlru(dd, SlruKind.CLOG, Clog.pageOf(cp.nextXidValue()), tar);
    writeSlru(dd, SlruKind.MULTIXACT_MEMBERS, MultiXactSlru.membersPage(cp.nextMultiOffset()), tar);
    writeSlru(dd, SlruKind.MULTIXACT_OFFSETS, MultiXactSlru.offsetsPage(cp.nextMulti()), tar);
  }

  private static void writeSlru(Datadir dd, SlruKind kind, int currentPage, TarWriter tar) throws IOException {
    int currentSegment = Slru.segmentOf(currentPage);
    for (int segno : dd.slruSegments(kind).with(currentSegment).numbers()) {
      int stored = dd.slruSegmentSize(kind, segno);
      int pages = segno == currentSegment ? Math.max(stored, Slru.pageInSegment(currentPage) + 1) : stored;
      if (pages < 0 || pages > Slru.PAGES_PER_SEGMENT) {
        throw new Inconsistent(kind.dir() + " segment " + Integer.toHexString(segno) + " has " + pages + " pages", Lsn.of(dd.lsn()));
      }
      tar.begin(Slru.fileName(kind.dir(), segno), (long) pages * Datadir.PAGE_SIZE);
      for (int blk = 0; blk < pages; blk++) tar.write(blk < stored ? dd.slruPage(kind, segno, blk) : ZERO_PAGE);
      tar.end();
    }
  }

  /** PG_VERSION and pg_filenode.map where the database has them, then its relation files. */
  private static void writeDatabase(Datadir dd, BlockRuns runs, Db db, boolean hasRelmap, TarWriter tar) throws IOException {
    if (db.spcNode() == RelTag.GLOBAL_TABLESPACE_OID) {
      tar.file("PG_VERSION", versionFile());
      tar.file("global/pg_filenode.map", relmap(dd, db));
    } else if (db.spcNode() == RelTag.DEFAULT_TABLESPACE_OID) {
      String dir = "base/" + Integer.toUnsignedString(db.dbNode());
      tar.directory(dir);
      if (hasRelmap) {
        tar.file(dir + "/PG_VERSION", versionFile());
        tar.file(dir + "/pg_filenode.map", relmap(dd, db));
      }
    } else {
      return;   // an empty database entry of another tablespace (non-empty ones were refused)
    }
    writeRelations(dd, runs, db, tar);
  }

  /**
   * Every fork of every relation. An unlogged relation (one with an init fork) gets its init fork
   * and a copy of it as the main fork, and nothing else: what crash recovery would leave, since a
   * server starting without recovery does not reset unlogged relations itself.
   */
  private static void writeRelations(Datadir dd, BlockRuns runs, Db db, TarWriter tar) throws IOException {
    Set<RelFork> forks = dd.relDirectory(db.spcNode(), db.dbNode()).rels();
    Set<Integer> unlogged = new HashSet<>();
    for (RelFork f : forks) if (f.fork() == ForkNumber.INIT.ordinal()) unlogged.add(f.relNode());
    for (RelFork f : forks) {
      ForkNumber fork = ForkNumber.ofNumber(f.fork());
      if (fork == null) throw new Inconsistent("relation " + Integer.toUnsignedString(f.relNode()) + " has fork " + f.fork(), Lsn.of(dd.lsn()));
      RelTag rel = new RelTag(db.spcNode(), db.dbNode(), f.relNode(), fork);
      if (!unlogged.contains(f.relNode())) {
        writeFork(dd, runs, rel, rel, tar);
      } else if (fork == ForkNumber.INIT) {
        writeFork(dd, runs, rel, rel, tar);
        writeFork(dd, runs, rel, rel.withFork(ForkNumber.MAIN), tar);
      }
    }
  }

  /** The pages of {@code source} as the 1 GiB segment files of {@code target}; an empty fork is one empty file. */
  private static void writeFork(Datadir dd, BlockRuns runs, RelTag source, RelTag target, TarWriter tar) throws IOException {
    int size = dd.relSizeOrMinusOne(source);
    long nblocks = size == -1 ? 0 : Integer.toUnsignedLong(size);
    for (int segno = 0; segno == 0 || (long) segno * RelFilePath.BLOCKS_PER_SEGMENT < nblocks; segno++) {
      RelFilePath path = new RelFilePath(target, segno);
      long first = path.firstBlock();
      long count = Math.min(RelFilePath.BLOCKS_PER_SEGMENT, nblocks - first);
      tar.begin(path.format(), count * Datadir.PAGE_SIZE);
      long[] blk = {first};
      runs.read(source, (int) first, (int) count, page -> {
        if (page == null) {
          tar.write(ZERO_PAGE);
        } else if (page.remaining() != Datadir.PAGE_SIZE) {
          throw new Inconsistent("block " + blk[0] + " of " + source + " has " + page.remaining() + " bytes", Lsn.of(dd.lsn()));
        } else {
          tar.write(page);
        }
        blk[0]++;
      });
      tar.end();
    }
  }

  /** pg_twophase/XXXXXXXX: the stored state file body and its CRC-32C, as PostgreSQL reads it. */
  private static void writeTwoPhase(Datadir dd, TarWriter tar) throws IOException {
    for (int xid : dd.twoPhaseXids().numbers()) {
      byte[] body = dd.twoPhaseFile(xid);
      if (body == null) {
        throw new Inconsistent("prepared transaction " + Integer.toUnsignedString(xid) + " has no state file", Lsn.of(dd.lsn()));
      }
      CRC32C crc = new CRC32C();
      crc.update(body);
      byte[] file = ByteBuffer.allocate(body.length + 4).order(ByteOrder.LITTLE_ENDIAN).put(body).putInt((int) crc.getValue()).array();
      tar.file(String.format("pg_twophase/%08X", xid), file);
    }
  }

  private static byte[] relmap(Datadir dd, Db db) throws IOException {
    byte[] map = dd.relmap(db.spcNode(), db.dbNode());
    if (map == null || map.length != RELMAP_SIZE) {
      throw new Inconsistent("relmap of database " + Integer.toUnsignedString(db.dbNode()) + " in tablespace "
          + Integer.toUnsignedString(db.spcNode()) + (map == null ? " is missing" : " has " + map.length + " bytes"), Lsn.of(dd.lsn()));
    }
    return map;
  }

  private static byte[] versionFile() {
    return (PG_VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
