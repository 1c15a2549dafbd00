package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.keyspace.Directories;
import wire.keyspace.Directories.Db;
import wire.keyspace.Directories.DbDirectory;
import wire.keyspace.Directories.RelDirectory;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.pgdata.ControlFile;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;
import wire.xlog.encode.ShutdownCheckpoint;

/** What the tar holds and in which order, checked without starting a server from it. */
class BasebackupLayoutTest {
  private static final int POSTGRES_DB = 5;   // the oid initdb gives database "postgres" in PostgreSQL 15

  private static PostgresFixture source;
  private static DataDirPageReader reader;
  private static Lsn end;
  private static Lsn lastRecord;
  private static int unloggedNode;
  private static Path work;

  @BeforeAll
  static void buildSource() throws Exception {
    work = Files.createTempDirectory("strata-basebackup-layout-");
    source = PostgresFixture.builder().start();
    source.psql("create table t as select generate_series(1, 100) x; create unlogged table u(id int primary key);"
        + " insert into u select generate_series(1, 100)");
    unloggedNode = Integer.parseInt(source.psql("select pg_relation_filenode('u')").trim());
    source.stop("fast");
    reader = new DataDirPageReader(source.dataDir());
    lastRecord = reader.control().checkPoint();
    end = reader.endOfWal().maxAlign();
  }

  @AfterAll
  static void cleanUp() {
    if (source != null) source.close();
    TempDirs.delete(work);
  }

  private static BasebackupParams atEnd() {
    return BasebackupParams.at(end, lastRecord, reader.walPrefix());
  }

  @Test
  void entriesComeParentsFirstWithPostgresModesAndPgControlThenWalLast() throws Exception {
    List<Tars.Entry> entries = Tars.list(Computes.writeTar(reader, atEnd(), work, "rw.tar"));
    Set<String> seen = new HashSet<>();
    for (Tars.Entry e : entries) {
      int slash = e.name().lastIndexOf('/');
      if (slash > 0) assertTrue(seen.contains(e.name().substring(0, slash)), e.name() + " comes before its directory");
      assertTrue(seen.add(e.name()), "twice: " + e.name());
      assertEquals(e.directory() ? 0700 : 0600, e.mode() & 07777, e.name());
    }
    String segment = ShutdownPoint.recordStartAfter(end, reader.segmentSize()).segmentFileName(1, reader.segmentSize());
    assertEquals("global/pg_control", entries.get(entries.size() - 2).name());
    assertEquals("pg_wal/" + segment, entries.get(entries.size() - 1).name());
    assertEquals(reader.segmentSize(), entries.get(entries.size() - 1).size());
    for (String f : List.of("PG_VERSION", "pg_hba.conf", "pg_ident.conf", "postgresql.auto.conf", "global/pg_filenode.map",
        "base/1/PG_VERSION", "base/5/pg_filenode.map", "pg_xact/0000", "pg_multixact/offsets/0000", "pg_wal/archive_status")) {
      assertTrue(seen.contains(f), f);
    }
    for (String f : List.of("standby.signal", "postgresql.conf", "backup_label", "postmaster.pid", "recovery.signal")) {
      assertFalse(seen.contains(f), f);
    }
  }

  @Test
  void readOnlyTarSignalsStandbyBeforeAnyData() throws Exception {
    List<String> names = Tars.list(Computes.writeTar(reader, atEnd().asReadOnly(), work, "ro.tar")).stream()
        .map(Tars.Entry::name).toList();
    int signal = names.indexOf("standby.signal");
    assertTrue(signal > 0, names.toString());
    assertTrue(signal < names.indexOf("pg_xact/0000") && signal < names.indexOf("base/5/PG_VERSION"), names.toString());
  }

  @Test
  void unloggedRelationsAreTheirInitForkOnly() throws Exception {
    Map<String, Long> sizes = new HashMap<>();
    Tars.list(Computes.writeTar(reader, atEnd(), work, "u.tar")).forEach(e -> sizes.put(e.name(), e.size()));
    String base = "base/" + POSTGRES_DB + "/" + unloggedNode;
    assertEquals(0L, sizes.get(base + "_init"));   // a heap's init fork is empty
    assertEquals(0L, sizes.get(base), "the main fork is a copy of the init fork, not the 100 rows on disk");
    assertFalse(sizes.containsKey(base + "_fsm"));
    assertFalse(sizes.containsKey(base + "_vm"));
  }

  @Test
  void walSegmentIsTheRealStreamUpToLThenTheCheckpointPgControlPointsAt() throws Exception {
    Path dir = work.resolve("wal-check");
    Tars.extract(Computes.writeTar(reader, atEnd(), work, "w.tar"), dir);
    Lsn x = ShutdownPoint.recordStartAfter(end, reader.segmentSize());
    ControlFile control = ControlFile.decode(Files.readAllBytes(dir.resolve("global/pg_control")));
    assertEquals(ControlFile.DbState.SHUTDOWNED, control.state());
    assertEquals(x, control.checkPoint());
    assertEquals(x, control.checkPointCopy().redo());
    assertEquals(Lsn.INVALID, control.minRecoveryPoint());
    assertEquals(0, control.checkPointCopy().oldestActiveXid());
    assertEquals(reader.control().checkPointCopy().nextXid(), control.checkPointCopy().nextXid());

    String name = x.segmentFileName(1, reader.segmentSize());
    byte[] ours = Files.readAllBytes(dir.resolve("pg_wal").resolve(name));
    byte[] real = Files.readAllBytes(source.dataDir().resolve("pg_wal").resolve(name));
    int upToL = (int) end.segmentOffset(reader.segmentSize());
    assertArrayEquals(Arrays.copyOf(real, upToL), Arrays.copyOf(ours, upToL));
    int at = (int) x.segmentOffset(reader.segmentSize());
    byte[] record = ShutdownCheckpoint.record(control.checkPointCopy(), lastRecord);
    if (at % Lsn.WAL_PAGE_SIZE + record.length <= Lsn.WAL_PAGE_SIZE) {
      assertArrayEquals(record, Arrays.copyOfRange(ours, at, at + record.length));
    }
  }

  @Test
  void withoutWalPaddingTheSegmentIsTheFullOneWithItsZeroTailCut() throws Exception {
    Path full = work.resolve("padded"), cut = work.resolve("cut");
    Tars.extract(Computes.writeTar(reader, atEnd(), work, "padded.tar"), full);
    Tars.extract(Computes.writeTar(reader, atEnd().withoutWalPadding(), work, "cut.tar"), cut);
    String name = ShutdownPoint.recordStartAfter(end, reader.segmentSize()).segmentFileName(1, reader.segmentSize());
    byte[] whole = Files.readAllBytes(full.resolve("pg_wal").resolve(name));
    byte[] shortened = Files.readAllBytes(cut.resolve("pg_wal").resolve(name));
    int checkpointAt = (int) ShutdownPoint.recordStartAfter(end, reader.segmentSize()).segmentOffset(reader.segmentSize());
    assertEquals(0, shortened.length % Lsn.WAL_PAGE_SIZE, "whole pages");
    assertTrue(shortened.length > checkpointAt && shortened.length < whole.length, shortened.length + " of " + whole.length);
    // the two checkpoint records differ only in their time (and so their CRC): compare around them
    assertArrayEquals(Arrays.copyOf(whole, checkpointAt), Arrays.copyOf(shortened, checkpointAt), "the WAL up to the checkpoint");
    assertArrayEquals(new byte[whole.length - shortened.length], Arrays.copyOfRange(whole, shortened.length, whole.length),
        "what was cut is zeros only");
    assertTrue(Basebackup.withoutZeroTail(whole) <= shortened.length, "nothing but zeros was cut");
  }

  @Test
  void zeroTailIsCutAtPageBoundaries() {
    byte[] seg = new byte[4 * Lsn.WAL_PAGE_SIZE];
    assertEquals(0, Basebackup.withoutZeroTail(seg));
    seg[0] = 1;
    assertEquals(Lsn.WAL_PAGE_SIZE, Basebackup.withoutZeroTail(seg));
    seg[Lsn.WAL_PAGE_SIZE] = 1;
    assertEquals(2 * Lsn.WAL_PAGE_SIZE, Basebackup.withoutZeroTail(seg));
    seg[seg.length - 1] = 1;
    assertEquals(seg.length, Basebackup.withoutZeroTail(seg));
  }

  @Test
  void readOnlyCheckpointNamesTheOldestActiveXid() throws Exception {
    Path dir = work.resolve("ro-check");
    Tars.extract(Computes.writeTar(reader, atEnd().asReadOnly(), work, "ro2.tar"), dir);
    ControlFile control = ControlFile.decode(Files.readAllBytes(dir.resolve("global/pg_control")));
    assertEquals(reader.control().checkPointCopy().nextXidValue(), control.checkPointCopy().oldestActiveXid());
  }

  @Test
  void relationLargerThanASegmentIsSplitIntoGigabyteFiles() throws Exception {
    RelTag big = new RelTag(RelTag.DEFAULT_TABLESPACE_OID, POSTGRES_DB, 99999, ForkNumber.MAIN);
    int nblocks = 131072 + 2;
    RelDirectory withBig = RelDirectory.decode(reader.get(Key.relDir(big.spcNode(), big.dbNode()), 0)).with(new RelFork(99999, 0));
    PageReader r = (key, lsn) -> {
      if (key.equals(Key.relDir(big.spcNode(), big.dbNode()))) return withBig.encode();
      if (key.equals(Key.relSize(big))) return Directories.encodeSize(nblocks);
      return reader.get(key, lsn);
    };
    PipedInputStream in = new PipedInputStream(1 << 20);
    PipedOutputStream out = new PipedOutputStream(in);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (out) {
        Basebackup.write(new Datadir(r, end.value()), atEnd(), out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Map<String, Long> sizes = new HashMap<>();
    Tars.list(in).forEach(e -> sizes.put(e.name(), e.size()));
    writer.join();
    assertEquals(1L << 30, sizes.get("base/5/99999"));
    assertEquals(2L * 8192, sizes.get("base/5/99999.1"));
    assertFalse(sizes.containsKey("base/5/99999.2"));
  }

  @Test
  void recordStartSkipsPageHeadersAndAligns() {
    long seg = 16 << 20;
    assertEquals(Lsn.parse("0/1560018"), ShutdownPoint.recordStartAfter(Lsn.parse("0/1560000"), seg));
    assertEquals(Lsn.parse("0/2000028"), ShutdownPoint.recordStartAfter(Lsn.parse("0/2000000"), seg));
    assertEquals(Lsn.parse("0/155F3B0"), ShutdownPoint.recordStartAfter(Lsn.parse("0/155F3AA"), seg));
    assertEquals(Lsn.parse("0/155F3B0"), ShutdownPoint.recordStartAfter(Lsn.parse("0/155F3B0"), seg));
  }

  /** Each bad request is refused with its own type before a single byte is written. */
  @Test
  void badRequestsAreRefusedBeforeAnyByteIsWritten() throws Exception {
    Lsn insideHeader = end.pageStart().plus(Lsn.WAL_PAGE_SIZE + 8);
    assertRefused(BasebackupException.NotARecordStart.class, reader, BasebackupParams.at(insideHeader, Lsn.INVALID, WalPrefix.NONE));
    assertRefused(BasebackupException.PrevNotBefore.class, reader, BasebackupParams.at(end, end.plus(8), WalPrefix.NONE));
    assertRefused(BasebackupException.SystemIdMismatch.class, reader, new BasebackupParams(end, lastRecord,
        reader.control().systemIdentifier() + 1, WalPrefix.NONE, false, false));
    assertRefused(BasebackupException.BadWalPrefix.class, reader, BasebackupParams.at(end, lastRecord,
        (from, to) -> new byte[(int) (to - from)]));
    assertRefused(BasebackupException.BadWalPrefix.class, reader, BasebackupParams.at(end, lastRecord, (from, to) -> new byte[8]));
    PageReader noControl = (key, lsn) -> key.equals(Key.controlFile()) ? null : reader.get(key, lsn);
    assertRefused(BasebackupException.MissingState.class, noControl, atEnd());
    Db tablespace = new Db(16400, POSTGRES_DB);
    PageReader otherTablespace = (key, lsn) -> {
      if (key.equals(Key.dbDir())) return DbDirectory.decode(reader.get(key, lsn)).with(tablespace, true).encode();
      if (key.equals(Key.relDir(tablespace.spcNode(), tablespace.dbNode()))) return RelDirectory.EMPTY.with(new RelFork(7, 0)).encode();
      return reader.get(key, lsn);
    };
    assertRefused(BasebackupException.UnsupportedTablespace.class, otherTablespace, atEnd());
  }

  private static void assertRefused(Class<? extends BasebackupException> type, PageReader r, BasebackupParams p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BasebackupException e = assertThrows(type, () -> Basebackup.write(new Datadir(r, p.lsn().value()), p, out));
    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    assertEquals(0, out.size(), type.getSimpleName() + " after writing");
  }
}
