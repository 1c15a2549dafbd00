package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.keyspace.Key;
import wire.pgdata.CheckPoint;
import wire.pgdata.ControlFile;
import wire.xlog.Lsn;

/**
 * Basebackups of a cleanly stopped real cluster, untarred and started by a real PostgreSQL 15:
 * no recovery, the same data, the WAL stream continued, and the special cases (read-only, prepared
 * transactions, unlogged tables, SLRU pages past the stored ones, a tar cut short).
 */
class BasebackupStartTest {
  private static final Map<String, String> SETTINGS = Map.of("max_prepared_transactions", "5");
  private static final String T_DIGEST = "select count(*) || ':' || sum(id) || ':' || md5(string_agg(v, ',' order by id)) from t";
  private static final String D_DIGEST = "select count(*) || ':' || sum(x) from d";

  private static PostgresFixture source;
  private static DataDirPageReader reader;
  private static Lsn end;          // the source's end of WAL, 8-aligned: the pageserver's last_record_lsn
  private static Lsn lastRecord;   // the source's shutdown checkpoint: the record before `end`
  private static Lsn x;            // where our checkpoint record goes for `end`
  private static String tDigest, dDigest;
  private static Path work;

  @BeforeAll
  static void buildSource() throws Exception {
    work = Files.createTempDirectory("strata-basebackup-");
    PostgresFixture.Builder b = PostgresFixture.builder();
    SETTINGS.forEach(b::set);
    source = b.start();
    source.psql("create table t(id int primary key, v text); insert into t select g, md5(g::text) from generate_series(1, 5000) g;"
        + " create index t_v on t(v)");
    source.psql("create unlogged table u(id int primary key, v text); insert into u select g, 'u' || g from generate_series(1, 100) g");
    source.psql("create table pt(x int)");
    source.psql("create database db2");
    query(source, "db2", "create table d as select g as x from generate_series(1, 300) g");
    shareLockTwice(source);
    try (Connection c = source.connect(); Statement s = c.createStatement()) {
      s.execute("begin");
      s.execute("insert into pt values (42)");
      s.execute("prepare transaction 'p1'");
    }
    tDigest = source.psql(T_DIGEST);
    dDigest = query(source, "db2", D_DIGEST);
    source.stop("fast");
    reader = new DataDirPageReader(source.dataDir());
    lastRecord = reader.control().checkPoint();
    end = reader.endOfWal().maxAlign();
    x = ShutdownPoint.recordStartAfter(end, reader.segmentSize());
  }

  @AfterAll
  static void cleanUp() {
    if (source != null) source.close();
    TempDirs.delete(work);
  }

  /** Two transactions share-lock one row: a multixact with two members. */
  private static void shareLockTwice(PostgresFixture pg) throws Exception {
    try (Connection a = pg.connect(); Connection b = pg.connect()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      a.createStatement().executeQuery("select id from t where id = 1 for share").close();
      b.createStatement().executeQuery("select id from t where id = 1 for share").close();
      a.commit();
      b.commit();
    }
  }

  private static String query(PostgresFixture pg, String db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db)); Statement s = c.createStatement()) {
      if (!s.execute(sql)) return null;
      try (ResultSet rs = s.getResultSet()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static BasebackupParams atEnd() {
    return BasebackupParams.at(end, lastRecord, reader.walPrefix());
  }

  private static void assertStartedWithoutRecovery(PostgresFixture pg) throws Exception {
    String log = Files.readString(pg.logFile());
    assertTrue(log.contains("database system was shut down at"), log);
    assertFalse(log.contains("redo starts"), log);
    assertFalse(log.contains("automatic recovery"), log);
  }

  @Test
  void startsWithoutRecoveryAtTheEndOfRealWalAndContinuesTheStream() throws Exception {
    Path tar = Computes.writeTar(reader, atEnd(), work, "a.tar");
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertStartedWithoutRecovery(pg);
      assertEquals(tDigest, pg.psql(T_DIGEST));
      assertEquals(dDigest, query(pg, "db2", D_DIGEST));
      pg.psql("insert into t select g, 'new' || g from generate_series(5001, 5100) g");
      assertEquals("5100", pg.psql("select count(*) from t").trim());
      pg.runTool(List.of("pg_amcheck", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", PostgresFixture.SUPERUSER,
          "--install-missing", "--all", "--heapallindexed"), Duration.ofMinutes(5));
      pg.stop("fast");

      Lsn finalCheckpoint = ControlFile.decode(Files.readAllBytes(pg.dataDir().resolve("global/pg_control"))).checkPoint();
      String dump = Computes.waldump(pg.dataDir().resolve("pg_wal"), lastRecord);
      assertTrue(dump.contains("lsn: " + Computes.dumpLsn(lastRecord) + ", prev"), dump);
      assertTrue(dump.contains("lsn: " + Computes.dumpLsn(x) + ", prev " + Computes.dumpLsn(lastRecord)
          + ", desc: CHECKPOINT_SHUTDOWN redo " + x + ";"), dump);
      assertTrue(dump.contains("desc: INSERT+INIT") || dump.contains("desc: INSERT "), dump);
      // read from before L to the new server's own last record without a break
      assertTrue(dump.contains("lsn: " + Computes.dumpLsn(finalCheckpoint) + ", prev "), dump);
    }
  }

  @Test
  void startsFromZerosBeforeAMidPageLsnWithoutKnowingThePreviousRecord() throws Exception {
    Lsn l = end.pageStart().plus(2 * Lsn.WAL_PAGE_SIZE + 0x800);
    Path tar = Computes.writeTar(reader, BasebackupParams.at(l, Lsn.INVALID, WalPrefix.NONE), work, "b.tar");
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertStartedWithoutRecovery(pg);
      assertEquals(tDigest, pg.psql(T_DIGEST));
      pg.psql("insert into t values (6000, 'after')");
      pg.stop("fast");
      String dump = Computes.waldump(pg.dataDir().resolve("pg_wal"), l);
      assertTrue(dump.contains("lsn: " + Computes.dumpLsn(l) + ", prev 0/00000000, desc: CHECKPOINT_SHUTDOWN redo " + l + ";"), dump);
      assertTrue(dump.contains("prev " + Computes.dumpLsn(l) + ","), "the next record follows ours: " + dump);
    }
  }

  @Test
  void readOnlyComputeOpensAsAHotStandbyAndRefusesWrites() throws Exception {
    Path tar = Computes.writeTar(reader, atEnd().asReadOnly(), work, "c.tar");
    assertTrue(Tars.list(tar).stream().anyMatch(e -> e.name().equals("standby.signal")));
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertTrue(Files.readString(pg.logFile()).contains("ready to accept read-only connections"));
      assertEquals("t", pg.psql("select pg_is_in_recovery()").trim());
      assertEquals(tDigest, pg.psql(T_DIGEST));
      assertEquals(dDigest, query(pg, "db2", D_DIGEST));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pg.psql("insert into t values (0, 'no')"));
      assertTrue(e.getMessage().contains("read-only transaction"), e.getMessage());
    }
  }

  @Test
  void preparedTransactionSurvivesAndCanBeCommitted() throws Exception {
    Path tar = Computes.writeTar(reader, atEnd(), work, "d.tar");
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertEquals("p1", pg.psql("select gid from pg_prepared_xacts").trim());
      assertEquals("0", pg.psql("select count(*) from pt").trim());
      pg.psql("commit prepared 'p1'");
      assertEquals("42", pg.psql("select x from pt").trim());
    }
  }

  @Test
  void unloggedTableStartsEmptyAndUsable() throws Exception {
    Path tar = Computes.writeTar(reader, atEnd(), work, "e.tar");
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertEquals("0", pg.psql("select count(*) from u").trim());
      pg.psql("insert into u values (1, 'a'), (2, 'b')");
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        s.execute("set enable_seqscan = off");
        try (ResultSet rs = s.executeQuery("select v from u where id = 2")) {
          assertTrue(rs.next());
          assertEquals("b", rs.getString(1), "read through the unlogged primary key index");
        }
      }
      assertEquals("2", pg.psql("select count(*) from u").trim());
    }
  }

  @Test
  void tarCutBeforePgControlCannotStart() throws Exception {
    Path full = Computes.writeTar(reader, atEnd(), work, "f-full.tar");
    Path cut = work.resolve("f.tar");
    try (InputStream in = Files.newInputStream(full); OutputStream out = Files.newOutputStream(cut)) {
      out.write(in.readNBytes((int) Tars.offsetOf(full, "global/pg_control")));
    }
    try (PostgresFixture pg = Computes.fromTar(cut, SETTINGS)) {
      assertTrue(Files.exists(pg.dataDir().resolve("base")), "the tar up to pg_control was extracted");
      assertFalse(Files.exists(pg.dataDir().resolve("global/pg_control")));
      assertThrows(IllegalStateException.class, pg::startServer);
      String log = Files.readString(pg.logFile());
      assertTrue(log.contains("pg_control"), log);
    }
  }

  /**
   * Ingest rounds nextXid up (and multixact counters may sit on pages never written): startup
   * reads the pages holding them, so the basebackup pads the segments with zero pages.
   */
  @Test
  void slruPagesHoldingTheNextCountersArePadded() throws Exception {
    CheckPoint real = reader.control().checkPointCopy();
    long nextXid = ((long) real.nextXidEpoch() << 32) | (32768 + 100);
    CheckPoint bumped = new CheckPoint(end, real.thisTimeLineId(), real.prevTimeLineId(), real.fullPageWrites(), nextXid,
        real.nextOid(), 2048 + 7, 1636 + 3, real.oldestXid(), real.oldestXidDb(), real.oldestMulti(), real.oldestMultiDb(),
        real.time(), real.oldestCommitTsXid(), real.newestCommitTsXid(), 0);
    PageReader r = (key, lsn) -> key.equals(Key.checkpoint()) ? bumped.encode() : reader.get(key, lsn);
    Path tar = Computes.writeTar(r, atEnd(), work, "g.tar");
    Map<String, Long> sizes = new java.util.HashMap<>();
    Tars.list(tar).forEach(e -> sizes.put(e.name(), e.size()));
    assertEquals(2L * 8192, sizes.get("pg_xact/0000"));
    assertEquals(2L * 8192, sizes.get("pg_multixact/offsets/0000"));
    assertEquals(2L * 8192, sizes.get("pg_multixact/members/0000"));
    try (PostgresFixture pg = Computes.fromTar(tar, SETTINGS)) {
      pg.startServer();
      assertStartedWithoutRecovery(pg);
      assertTrue(Long.parseLong(pg.psql("select txid_current()").trim()) >= 32768 + 100);
      shareLockTwice(pg);
      assertEquals(tDigest, pg.psql(T_DIGEST));
    }
  }
}
