package store.pgdatadir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.TreeSet;
import wire.WireFormatException;
import wire.keyspace.Directories;
import wire.keyspace.Directories.Db;
import wire.keyspace.Directories.DbDirectory;
import wire.keyspace.Directories.NumberSet;
import wire.keyspace.Directories.RelDirectory;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.ControlFile;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;
import wire.xlog.encode.ShutdownCheckpoint;

/**
 * Test-only stand-in for the pageserver: a cleanly stopped PostgreSQL 15 data directory read as
 * the key space at its one LSN (the end of its shutdown checkpoint record). Files are read on
 * each request, the way the key space is read page by page.
 */
final class DataDirPageReader implements PageReader {
  private final Path dir;
  private final ControlFile control;

  DataDirPageReader(Path dir) throws IOException, WireFormatException {
    this.dir = dir;
    this.control = ControlFile.decode(Files.readAllBytes(dir.resolve("global/pg_control")));
    if (control.state() != ControlFile.DbState.SHUTDOWNED) throw new IllegalStateException(dir + " was not shut down cleanly");
  }

  ControlFile control() {
    return control;
  }

  long segmentSize() {
    return control.build().xlogSegSize();
  }

  /** Where the shutdown checkpoint record ends: the end of this data directory's WAL (unaligned). */
  Lsn endOfWal() {
    long pos = control.checkPoint().value();
    for (int left = ShutdownCheckpoint.RECORD_LENGTH; left > 0;) {
      if (pos % Lsn.WAL_PAGE_SIZE == 0) pos += WalPageHeader.sizeOfPageAt(pos, segmentSize());
      int n = (int) Math.min(left, Lsn.WAL_PAGE_SIZE - pos % Lsn.WAL_PAGE_SIZE);
      pos += n;
      left -= n;
    }
    return Lsn.of(pos);
  }

  /** The real WAL of this directory's pg_wal, as the safekeepers would serve it. */
  WalPrefix walPrefix() {
    return (from, to) -> {
      long seg = Lsn.of(from).segmentNumber(segmentSize());
      if (to > from && Lsn.of(to - 1).segmentNumber(segmentSize()) != seg) return null;
      Path file = dir.resolve("pg_wal").resolve(Lsn.segmentFileName(control.checkPointCopy().thisTimeLineId(), seg, segmentSize()));
      if (!Files.exists(file)) return null;
      return readAt(file, Lsn.of(from).segmentOffset(segmentSize()), (int) (to - from));
    };
  }

  @Override
  public byte[] get(Key key, long lsn) throws IOException {
    if (key.equals(Key.dbDir())) return dbDirectory().encode();
    if (key.equals(Key.controlFile())) return Files.readAllBytes(dir.resolve("global/pg_control"));
    if (key.equals(Key.checkpoint())) return control.checkPointCopy().withRedo(endOfWal()).encode();   // Neon's redo convention
    if (key.equals(Key.twoPhaseDir())) return twoPhaseDir().encode();
    if (key.f1() == 2) return twoPhaseBody(key.f6());
    if (key.f1() == 1) return slru(key);
    if (key.f1() != 0) return null;
    if (key.f4() == 0) {
      Path db = dbDir(key.f2(), key.f3());
      if (key.f6() == 0) return readIfExists(db.resolve("pg_filenode.map"));
      if (key.f6() == 1) return relDirectory(key.f2(), key.f3()).encode();
      return null;
    }
    RelTag rel = key.relTag();
    if (key.isRelSize()) {
      long size = relSize(rel);
      return size < 0 ? null : Directories.encodeSize((int) size);
    }
    long blk = Integer.toUnsignedLong(key.blockNumber());
    Path file = dir.resolve(RelFilePath.ofBlock(rel, key.blockNumber()).format());
    long offset = (blk % RelFilePath.BLOCKS_PER_SEGMENT) * Datadir.PAGE_SIZE;
    if (!Files.exists(file) || Files.size(file) < offset + Datadir.PAGE_SIZE) return null;
    return readAt(file, offset, Datadir.PAGE_SIZE);
  }

  private DbDirectory dbDirectory() throws IOException {
    TreeMap<Db, Boolean> dbs = new TreeMap<>();
    dbs.put(new Db(RelTag.GLOBAL_TABLESPACE_OID, 0), true);
    try (var dbDirs = Files.list(dir.resolve("base"))) {
      for (Path d : dbDirs.toList()) {
        dbs.put(new Db(RelTag.DEFAULT_TABLESPACE_OID, Integer.parseUnsignedInt(d.getFileName().toString())),
            Files.exists(d.resolve("pg_filenode.map")));
      }
    }
    return new DbDirectory(dbs);
  }

  private Path dbDir(int spc, int db) {
    return spc == RelTag.GLOBAL_TABLESPACE_OID ? dir.resolve("global") : dir.resolve("base").resolve(Integer.toUnsignedString(db));
  }

  private RelDirectory relDirectory(int spc, int db) throws IOException {
    TreeSet<RelFork> forks = new TreeSet<>();
    Path d = dbDir(spc, db);
    String prefix = spc == RelTag.GLOBAL_TABLESPACE_OID ? "global/" : "base/" + Integer.toUnsignedString(db) + "/";
    if (!Files.isDirectory(d)) return RelDirectory.EMPTY;
    try (var files = Files.list(d)) {
      for (Path f : files.toList()) {
        try {
          RelTag rel = RelFilePath.parse(prefix + f.getFileName()).rel();
          forks.add(new RelFork(rel.relNode(), rel.fork().ordinal()));
        } catch (WireFormatException notARelation) {
          // PG_VERSION, pg_filenode.map, pg_internal.init, pg_control
        }
      }
    }
    return new RelDirectory(forks);
  }

  /** Blocks of a fork over all its segment files, or -1 when segment 0 does not exist. */
  private long relSize(RelTag rel) throws IOException {
    long blocks = -1;
    for (int segno = 0;; segno++) {
      Path f = dir.resolve(new RelFilePath(rel, segno).format());
      if (!Files.exists(f)) return blocks;
      blocks = (long) segno * RelFilePath.BLOCKS_PER_SEGMENT + Files.size(f) / Datadir.PAGE_SIZE;
    }
  }

  private byte[] slru(Key key) throws IOException {
    SlruKind kind = key.slruKind();
    Path d = dir.resolve(kind.dir());
    if (key.f3() == 0) {
      TreeSet<Integer> segs = new TreeSet<>(Integer::compareUnsigned);
      try (var files = Files.list(d)) {
        for (Path f : files.toList()) {
          int seg = Slru.parseSegment(f.getFileName().toString());
          if (seg >= 0) segs.add(seg);
        }
      }
      return new NumberSet(segs).encode();
    }
    Path file = Path.of(Slru.fileName(d.toString(), key.slruSegment()));
    if (!Files.exists(file)) return null;
    if (key.isSlruSegmentSize()) return Directories.encodeSize((int) (Files.size(file) / Datadir.PAGE_SIZE));
    long offset = (long) key.blockNumber() * Datadir.PAGE_SIZE;
    return Files.size(file) < offset + Datadir.PAGE_SIZE ? null : readAt(file, offset, Datadir.PAGE_SIZE);
  }

  private NumberSet twoPhaseDir() throws IOException {
    TreeSet<Integer> xids = new TreeSet<>(Integer::compareUnsigned);
    try (var files = Files.list(dir.resolve("pg_twophase"))) {
      for (Path f : files.toList()) xids.add(Integer.parseUnsignedInt(f.getFileName().toString(), 16));
    }
    return new NumberSet(xids);
  }

  /** The state file without its trailing CRC: what ingest stores from the PREPARE record. */
  private byte[] twoPhaseBody(int xid) throws IOException {
    byte[] file = readIfExists(dir.resolve(String.format("pg_twophase/%08X", xid)));
    return file == null ? null : Arrays.copyOf(file, file.length - 4);
  }

  private static byte[] readIfExists(Path p) throws IOException {
    return Files.exists(p) ? Files.readAllBytes(p) : null;
  }

  private static byte[] readAt(Path file, long offset, int length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] out = new byte[length];
      f.seek(offset);
      f.readFully(out);
      return out;
    }
  }
}
