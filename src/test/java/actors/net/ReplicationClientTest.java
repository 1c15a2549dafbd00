package actors.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.DataRow;
import wire.pg.ErrorResponse;
import wire.pg.IdentifySystemResult;
import wire.pg.Md5Auth;
import wire.pg.PgTime;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.ReplicationMessage;
import wire.pg.RowDescription;
import wire.pg.ScramVerifier;
import wire.pg.Terminate;
import wire.xlog.Lsn;

/** Strata's client codecs and SCRAM against a real PostgreSQL 15 walsender. */
@ExtendWith(ProcessLogs.class)
class ReplicationClientTest {
  private static final String USER = "strata_repl";
  private static final String PASSWORD = "repl pass";
  private static final long SEGMENT = Lsn.DEFAULT_SEGMENT_SIZE;
  private static ActorTestKit testKit;
  private static PostgresFixture pg;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ReplicationClientTest");
    pg = PostgresFixture.builder()
        .set("password_encryption", "'scram-sha-256'")
        .set("wal_keep_size", "'256MB'")   // the segment under test must not be recycled before it is read
        .hba("host all all 127.0.0.1/32 scram-sha-256")
        .hba("host replication all 127.0.0.1/32 scram-sha-256")
        .start();
    sql("create role " + USER + " with replication login password '" + PASSWORD + "'");
  }

  @AfterAll
  static void stop() {
    if (pg != null) pg.close();
    testKit.shutdownTestKit();
  }

  /** Superuser SQL over the Unix socket, where the fixture's trust lines still apply. */
  private static String sql(String sql) {
    return pg.runTool(List.of("psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", pg.root().toString(), "-p",
        Integer.toString(pg.port()), "-U", PostgresFixture.SUPERUSER, "-d", "postgres", "-c", sql), Duration.ofMinutes(2)).trim();
  }

  private static PgClientConnection connect(Map<String, String> startup) throws Exception {
    return PgClientConnection.open(testKit.system(), pg.port(), startup, PASSWORD);
  }

  @Test
  void streamsWalThatEqualsTheSegmentFileByteForByte() throws Exception {
    try (PgClientConnection c = connect(Map.of("user", USER, "database", "replication", "replication", "true",
        "application_name", "strata_wire_test"))) {
      assertTrue(c.parameters.get("server_version").startsWith("15."), c.parameters.toString());
      assertEquals("on", c.parameters.get("integer_datetimes"));

      c.send(new Query("IDENTIFY_SYSTEM"));
      List<BackendMessage> result = c.receiveUntilReady();
      assertEquals(IdentifySystemResult.DESCRIPTION, result.get(0), "walsender's column names, types and sizes");
      IdentifySystemResult id = IdentifySystemResult.fromRow((DataRow) result.get(1));
      assertEquals(new CommandComplete("IDENTIFY_SYSTEM"), result.get(2));
      assertEquals(sql("select system_identifier from pg_control_system()"), id.systemId());
      assertEquals(1, id.timeline());
      assertNull(id.dbname());

      Lsn start = id.xlogpos().segmentStart(SEGMENT);
      Lsn segmentEnd = start.plus(SEGMENT);
      c.send(new Query("START_REPLICATION PHYSICAL " + start + " TIMELINE 1"));
      assertInstanceOf(CopyResponse.CopyBothResponse.class, c.receive());
      // more WAL, then finish the segment so that all of it is flushed and will be streamed
      sql("create table t(x int); insert into t select generate_series(1, 20000)");
      Lsn switched = Lsn.parse(sql("select pg_switch_wal()"));
      assertTrue(switched.isBefore(segmentEnd) && !switched.isBefore(start), "switch at " + switched + " inside the segment");

      byte[] streamed = new byte[(int) SEGMENT];
      Lsn received = start;
      while (received.isBefore(segmentEnd)) {
        ReplicationMessage m = ReplicationMessage.decode(((CopyData) c.receive()).data());
        if (m instanceof ReplicationMessage.XLogData x) {
          assertEquals(received, x.start(), "XLogData continues where the last one ended");
          int len = (int) Math.min(x.data().length, segmentEnd.minus(x.start()));
          System.arraycopy(x.data(), 0, streamed, (int) x.start().minus(start), len);
          received = x.dataEnd();
        } else if (m instanceof ReplicationMessage.PrimaryKeepalive k && k.replyRequested()) {
          c.send(status(received, false).toCopyData());
        }
      }

      // the walsender answers a reply request only after it has read the update before it
      c.send(status(received, false).toCopyData());
      c.send(status(received, true).toCopyData());
      BackendMessage next;
      do {
        next = c.receive();
      } while (!(ReplicationMessage.decode(((CopyData) next).data()) instanceof ReplicationMessage.PrimaryKeepalive));
      assertEquals(received.toString(), sql("select flush_lsn from pg_stat_replication where application_name = 'strata_wire_test'"));

      byte[] file = Files.readAllBytes(pg.dataDir().resolve("pg_wal").resolve(segmentFileName(start)));
      assertEquals(0xD110, (file[0] & 0xff) | (file[1] & 0xff) << 8, "the segment starts with a PG15 WAL page header");
      assertEquals(SEGMENT, file.length);
      for (int page = 0; page < SEGMENT; page += 8192) {
        int p = page;
        assertArrayEquals(Arrays.copyOfRange(file, p, p + 8192), Arrays.copyOfRange(streamed, p, p + 8192), () -> "page at offset " + p);
      }

      // ending the stream: our CopyDone, the server's CopyDone, then the command completes
      c.send(new CopyDone());
      do {
        next = c.receive();
      } while (next instanceof CopyData);
      assertEquals(new CopyDone(), next);
      List<BackendMessage> end = c.receiveUntilReady();
      assertTrue(end.contains(new CommandComplete("START_STREAMING")), end.toString());
      c.send(new Terminate());
    }
  }

  @Test
  void simpleQueriesReturnRowsAndErrorsWithSqlState() throws Exception {
    try (PgClientConnection c = connect(Map.of("user", USER, "database", "postgres"))) {
      c.send(new Query("select 6 * 7 as answer"));
      List<BackendMessage> ok = c.receiveUntilReady();
      assertEquals("answer", ((RowDescription) ok.get(0)).fields().get(0).name());
      assertEquals(23, ((RowDescription) ok.get(0)).fields().get(0).typeOid());
      assertEquals("42", ((DataRow) ok.get(1)).text(0));
      assertEquals(new CommandComplete("SELECT 1"), ok.get(2));
      assertEquals(ReadyForQuery.IDLE, ok.get(3));

      c.send(new Query("selec 1"));
      List<BackendMessage> bad = c.receiveUntilReady();
      ErrorResponse e = (ErrorResponse) bad.get(0);
      assertEquals("42601", e.fields().sqlState());
      assertEquals("ERROR", e.fields().severity());
      assertEquals("1", e.fields().get(wire.pg.ErrorField.POSITION));
      assertEquals("scan.l", e.fields().get(wire.pg.ErrorField.FILE), e.fields().fields().toString());
      assertTrue(e.fields().get(wire.pg.ErrorField.LINE).matches("\\d+"), e.fields().fields().toString());
      assertEquals("scanner_yyerror", e.fields().get(wire.pg.ErrorField.ROUTINE));
      c.send(new Terminate());
    }
  }

  @Test
  void verifiersMatchWhatPostgresStores() throws Exception {
    String stored = sql("select rolpassword from pg_authid where rolname = '" + USER + "'");
    ScramVerifier v = ScramVerifier.parse(stored);
    assertEquals(stored, ScramVerifier.fromPassword(PASSWORD, v.salt(), v.iterations()).format());
    sql("set password_encryption = 'md5'; create role strata_md5 login password 'pw'");
    assertEquals(Md5Auth.stored("strata_md5", "pw"), sql("select rolpassword from pg_authid where rolname = 'strata_md5'"));
  }

  private static ReplicationMessage.StandbyStatusUpdate status(Lsn lsn, boolean replyRequested) {
    return new ReplicationMessage.StandbyStatusUpdate(lsn, lsn, lsn, PgTime.now(), replyRequested);
  }

  private static String segmentFileName(Lsn lsn) {
    long segno = lsn.segmentNumber(SEGMENT);
    long perId = 0x1_0000_0000L / SEGMENT;
    return String.format("%08X%08X%08X", 1, segno / perId, segno % perId);
  }
}
