package store.redo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import store.layer.ValueHistory;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.Clog;
import wire.pgdata.MultiXactSlru;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.MultiXactRecord;
import wire.xlog.rmgr.XactRecord;

/**
 * CLOG and multixact pages rebuilt in Java from the WAL a real PostgreSQL wrote, against the pages
 * it wrote itself: the page before the workload as the image, then one value per commit, abort or
 * new multixact, as ingest derives them, through {@link PageReconstructor}.
 */
@ExtendWith(ProcessLogs.class)
class NativeRedoRealPagesTest {
  private static final RedoService NO_POSTGRES = r -> CompletableFuture.failedFuture(new AssertionError("no PostgreSQL record expected"));

  private static PostgresFixture pg;
  private static byte[] xactBefore;
  private static byte[] xactAfter;
  private static byte[] offsetsBefore;
  private static byte[] offsetsAfter;
  private static byte[] membersBefore;
  private static byte[] membersAfter;
  private static List<WalRecord> wal;

  @BeforeAll
  static void runTransactionsAndLockers() throws Exception {
    pg = PostgresFixture.builder().set("autovacuum", "off").set("wal_keep_size", "'1GB'").start();
    List<Connection> sessions = new ArrayList<>();
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("create table m (id int primary key, v int)");
      st.execute("insert into m values (1, 0), (2, 0), (3, 0)");
      st.execute("checkpoint");
      xactBefore = page("pg_xact/0000");
      offsetsBefore = page("pg_multixact/offsets/0000");
      membersBefore = page("pg_multixact/members/0000");
      Lsn start = lsn(st, "select pg_current_wal_insert_lsn()");

      // Commits, an abort, a released and a rolled-back subtransaction, an abort with an open one.
      // (A subtransaction that aborts writes its own abort record; a commit lists the released ones.)
      st.execute("insert into m values (10, 0)");
      st.execute("insert into m values (11, 0)");
      st.execute("begin; insert into m values (12, 0); rollback");
      st.execute("begin; insert into m values (13, 0); savepoint a; insert into m values (14, 0); release a; "
          + "savepoint b; insert into m values (15, 0); rollback to b; commit");
      st.execute("begin; insert into m values (16, 0); savepoint c; insert into m values (17, 0); rollback");

      // Several sessions lock the same rows together: each new locker makes a new multixact.
      for (int i = 0; i < 5; i++) {
        Connection s = pg.connect();
        s.setAutoCommit(false);
        sessions.add(s);
      }
      for (int i = 0; i < 4; i++) query(sessions.get(i), "select id from m where id = 1 for key share");
      query(sessions.get(0), "select id from m where id = 2 for share");
      query(sessions.get(1), "select id from m where id = 2 for share");
      try (Statement s = sessions.get(4).createStatement()) {
        s.execute("update m set v = 1 where id = 1");   // a no-key update joins the key-share lockers
      }
      for (Connection s : sessions) s.commit();

      st.execute("checkpoint");
      Lsn end = lsn(st, "select pg_current_wal_flush_lsn()");
      xactAfter = page("pg_xact/0000");
      offsetsAfter = page("pg_multixact/offsets/0000");
      membersAfter = page("pg_multixact/members/0000");
      wal = SourceWal.decode(pg.dataDir().resolve("pg_wal"), start, end);
    } finally {
      for (Connection s : sessions) s.close();
    }
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) pg.close();
  }

  @Test
  void clogPageFromCommitAndAbortRecordsEqualsPgXact() throws Exception {
    List<ValueHistory.Version> values = new ArrayList<>();
    long lastCommitTime = 0;
    int commits = 0, aborts = 0, subxacts = 0;
    for (WalRecord r : wal) {
      if (r.rmgr() != RmgrId.XACT || !(XactRecord.parse(r.rmgrInfo(), r.mainData()) instanceof XactRecord.Completion c)) continue;
      List<Integer> xids = new ArrayList<>();
      if (r.xid() != 0) xids.add(r.xid());
      xids.addAll(c.subxacts());
      if (xids.isEmpty()) continue;
      int[] array = xids.stream().mapToInt(Integer::intValue).toArray();
      subxacts += c.subxacts().size();
      if (c.kind().isCommit()) {
        values.add(new ValueHistory.Version(r.endLsnValue(), new Value.ClogSetCommitted(array, c.xactTime())));
        lastCommitTime = c.xactTime();
        commits++;
      } else {
        values.add(new ValueHistory.Version(r.endLsnValue(), new Value.ClogSetAborted(array)));
        aborts++;
      }
    }
    assertTrue(commits >= 8 && aborts >= 3 && subxacts >= 1, commits + " commits, " + aborts + " aborts, " + subxacts + " subxacts");

    byte[] rebuilt = rebuild(Key.slruBlock(SlruKind.CLOG, 0, 0), xactBefore, values);
    assertEquals(8192 + 8, rebuilt.length, "the page carries the last commit's timestamp");
    assertEquals(lastCommitTime, ByteBuffer.wrap(rebuilt, 8192, 8).getLong(), "big-endian after the page");
    assertFalse(Arrays.equals(xactBefore, xactAfter), "the workload changed pg_xact");
    assertEquals(describe(xactAfter), describe(Arrays.copyOf(rebuilt, 8192)));
    assertArrayEquals(xactAfter, Arrays.copyOf(rebuilt, 8192));
  }

  @Test
  void multixactPagesFromCreateRecordsEqualPgMultixact() throws Exception {
    List<ValueHistory.Version> offsets = new ArrayList<>();
    List<ValueHistory.Version> members = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    for (WalRecord r : wal) {
      if (r.rmgr() != RmgrId.MULTIXACT || !(MultiXactRecord.parse(r.rmgrInfo(), r.mainData()) instanceof MultiXactRecord.CreateId m)) continue;
      int n = m.members().size();
      int page = wire.pgdata.MultiXactSlru.offsetsPage(m.mid());
      // PostgreSQL 15's current minors also write the next multixact's starting offset
      // (RecordNewMultiXact), skipping multixact 0 and offset 0; ingest has to store that too.
      int next = m.mid() + 1 == 0 ? 1 : m.mid() + 1;
      int nextOffset = m.moff() + n == 0 ? 1 : m.moff() + n;
      // One value sets both when they share a page, as ingest stores it.
      offsets.add(new ValueHistory.Version(r.endLsnValue(), new Value.MultixactOffsetCreate(m.mid(), m.moff(),
          wire.pgdata.MultiXactSlru.offsetsPage(next) == page ? nextOffset : 0)));
      int[] xids = m.members().stream().mapToInt(MultiXactRecord.Member::xid).toArray();
      int[] st = m.members().stream().mapToInt(x -> x.status().ordinal()).toArray();
      members.add(new ValueHistory.Version(r.endLsnValue(), new Value.MultixactMembersCreate(m.moff(), xids, st)));
      for (int s : st) statuses.add(s);
    }
    assertEquals(5, members.size(), "multixacts created");
    assertTrue(statuses.containsAll(List.of(0, 1, 4)), "key share, share and no-key update members: " + statuses);
    assertTrue(statuses.size() > 8, "members span several groups: " + statuses.size());

    byte[] offsetsRebuilt = rebuild(Key.slruBlock(SlruKind.MULTIXACT_OFFSETS, 0, 0), offsetsBefore, offsets);
    byte[] membersRebuilt = rebuild(Key.slruBlock(SlruKind.MULTIXACT_MEMBERS, 0, 0), membersBefore, members);
    assertFalse(Arrays.equals(membersBefore, membersAfter), "the workload changed the members page");
    assertEquals(firstOffsets(offsetsAfter), firstOffsets(offsetsRebuilt));
    assertArrayEquals(offsetsAfter, offsetsRebuilt);
    assertArrayEquals(membersAfter, membersRebuilt);
  }

  private static byte[] rebuild(Key key, byte[] before, List<ValueHistory.Version> oldestFirst) throws ReconstructFailed {
    List<ValueHistory.Version> newestFirst = new ArrayList<>(oldestFirst);
    newestFirst.add(0, new ValueHistory.Version(0, new Value.Image(before)));
    java.util.Collections.reverse(newestFirst);
    long lsn = oldestFirst.get(oldestFirst.size() - 1).lsn();
    return new PageReconstructor(NO_POSTGRES).reconstruct(new ValueHistory(key, lsn, newestFirst, true));
  }

  /** The statuses of the xids the workload changed, for a readable failure. */
  private static String describe(byte[] clog) {
    StringBuilder b = new StringBuilder();
    for (int xid = 0; xid < Clog.XACTS_PER_PAGE; xid++) {
      Clog.Status s = Clog.status(clog, xid);
      if (s != Clog.status(xactBefore, xid)) b.append(xid).append('=').append(s).append(' ');
    }
    return b.toString();
  }

  private static String firstOffsets(byte[] page) {
    return java.util.stream.IntStream.range(0, 16).mapToObj(m -> Integer.toString(MultiXactSlru.offset(page, m))).collect(Collectors.joining(","));
  }

  private static byte[] page(String file) throws Exception {
    byte[] bytes = Files.readAllBytes(pg.dataDir().resolve(Path.of(file)));
    return Arrays.copyOf(bytes, 8192);
  }

  private static void query(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
    }
  }

  private static Lsn lsn(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }
}
