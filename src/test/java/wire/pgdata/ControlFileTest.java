package wire.pgdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;
import wire.WireFormatException;
import wire.xlog.Lsn;

/** Golden test: the pg_control of a real PostgreSQL 15 after a clean shutdown, against pg_controldata. */
class ControlFileTest {
  private static PostgresFixture pg;
  private static byte[] file;
  private static Map<String, String> controldata;

  @BeforeAll
  static void cleanlyShutDownCluster() throws Exception {
    pg = PostgresFixture.builder().set("track_commit_timestamp", "on").set("max_connections", "37").start();
    pg.psql("create table t(x int); insert into t select generate_series(1, 100)");
    pg.stop("fast");
    file = Files.readAllBytes(pg.dataDir().resolve("global/pg_control"));
    controldata = controldata();
  }

  @AfterAll
  static void cleanUp() {
    if (pg != null) pg.close();
  }

  /** pg_controldata as root, in UTC and the C locale so that times and words are predictable. */
  private static Map<String, String> controldata() throws Exception {
    ProcessBuilder b = new ProcessBuilder(PostgresFixture.bin("pg_controldata"), "-D", pg.dataDir().toString());
    b.environment().put("TZ", "UTC");
    b.environment().put("LC_ALL", "C");
    Process p = b.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    Map<String, String> m = new HashMap<>();
    for (String line : out.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    return m;
  }

  private static String field(String label) {
    String v = controldata.get(label);
    if (v == null) throw new AssertionError("pg_controldata printed no '" + label + "': " + controldata.keySet());
    return v;
  }

  private static String onOff(boolean b) {
    return b ? "on" : "off";
  }

  private static String ctime(long epochSeconds) {
    return DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
        .format(Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC));
  }

  @Test
  void everyFieldMatchesPgControldata() throws Exception {
    ControlFile c = ControlFile.decode(file);
    CheckPoint cp = c.checkPointCopy();
    assertEquals(field("pg_control version number"), Integer.toString(c.pgControlVersion()));
    assertEquals(field("Catalog version number"), Integer.toString(c.catalogVersionNo()));
    assertEquals(field("Database system identifier"), Long.toUnsignedString(c.systemIdentifier()));
    assertEquals(ControlFile.DbState.SHUTDOWNED, c.state());
    assertEquals("shut down", field("Database cluster state"));
    assertEquals(field("pg_control last modified"), ctime(c.time()));
    assertEquals(field("Latest checkpoint location"), c.checkPoint().toString());
    assertEquals(field("Latest checkpoint's REDO location"), cp.redo().toString());
    assertEquals(field("Latest checkpoint's REDO WAL file"), cp.redo().segmentFileName(cp.thisTimeLineId(), c.build().xlogSegSize()));
    assertEquals(field("Latest checkpoint's TimeLineID"), Integer.toString(cp.thisTimeLineId()));
    assertEquals(field("Latest checkpoint's PrevTimeLineID"), Integer.toString(cp.prevTimeLineId()));
    assertEquals(field("Latest checkpoint's full_page_writes"), onOff(cp.fullPageWrites()));
    assertEquals(field("Latest checkpoint's NextXID"), cp.nextXidEpoch() + ":" + Integer.toUnsignedString(cp.nextXidValue()));
    assertEquals(field("Latest checkpoint's NextOID"), Integer.toUnsignedString(cp.nextOid()));
    assertEquals(field("Latest checkpoint's NextMultiXactId"), Integer.toUnsignedString(cp.nextMulti()));
    assertEquals(field("Latest checkpoint's NextMultiOffset"), Integer.toUnsignedString(cp.nextMultiOffset()));
    assertEquals(field("Latest checkpoint's oldestXID"), Integer.toUnsignedString(cp.oldestXid()));
    assertEquals(field("Latest checkpoint's oldestXID's DB"), Integer.toUnsignedString(cp.oldestXidDb()));
    assertEquals(field("Latest checkpoint's oldestActiveXID"), Integer.toUnsignedString(cp.oldestActiveXid()));
    assertEquals(field("Latest checkpoint's oldestMultiXid"), Integer.toUnsignedString(cp.oldestMulti()));
    assertEquals(field("Latest checkpoint's oldestMulti's DB"), Integer.toUnsignedString(cp.oldestMultiDb()));
    assertEquals(field("Latest checkpoint's oldestCommitTsXid"), Integer.toUnsignedString(cp.oldestCommitTsXid()));
    assertEquals(field("Latest checkpoint's newestCommitTsXid"), Integer.toUnsignedString(cp.newestCommitTsXid()));
    assertEquals(field("Time of latest checkpoint"), ctime(cp.time()));
    assertEquals(field("Fake LSN counter for unlogged rels"), c.unloggedLsn().toString());
    assertEquals(field("Minimum recovery ending location"), c.minRecoveryPoint().toString());
    assertEquals(field("Min recovery ending loc's timeline"), Integer.toString(c.minRecoveryPointTli()));
    assertEquals(field("Backup start location"), c.backupStartPoint().toString());
    assertEquals(field("Backup end location"), c.backupEndPoint().toString());
    assertEquals(field("End-of-backup record required"), c.backupEndRequired() ? "yes" : "no");
    ControlFile.Settings s = c.settings();
    assertEquals(field("wal_level setting"), s.walLevel().name().toLowerCase(Locale.ROOT));
    assertEquals(field("wal_log_hints setting"), onOff(s.walLogHints()));
    assertEquals(field("max_connections setting"), "37");
    assertEquals(37, s.maxConnections());
    assertEquals(field("max_worker_processes setting"), Integer.toString(s.maxWorkerProcesses()));
    assertEquals(field("max_wal_senders setting"), Integer.toString(s.maxWalSenders()));
    assertEquals(field("max_prepared_xacts setting"), Integer.toString(s.maxPreparedXacts()));
    assertEquals(field("max_locks_per_xact setting"), Integer.toString(s.maxLocksPerXact()));
    assertEquals("on", field("track_commit_timestamp setting"));
    assertTrue(s.trackCommitTimestamp());
    ControlFile.Build b = c.build();
    assertEquals(field("Maximum data alignment"), Integer.toString(b.maxAlign()));
    assertEquals(1234567.0, b.floatFormat());
    assertEquals(field("Database block size"), Integer.toString(b.blcksz()));
    assertEquals(field("Blocks per segment of large relation"), Integer.toString(b.relsegSize()));
    assertEquals(field("WAL block size"), Integer.toString(b.xlogBlcksz()));
    assertEquals(field("Bytes per WAL segment"), Integer.toString(b.xlogSegSize()));
    assertEquals(field("Maximum length of identifiers"), Integer.toString(b.nameDataLen()));
    assertEquals(field("Maximum columns in an index"), Integer.toString(b.indexMaxKeys()));
    assertEquals(field("Maximum size of a TOAST chunk"), Integer.toString(b.toastMaxChunkSize()));
    assertEquals(field("Size of a large-object chunk"), Integer.toString(b.loblksize()));
    assertEquals(field("Float8 argument passing"), b.float8ByVal() ? "by value" : "by reference");
    assertEquals(field("Data page checksum version"), Integer.toString(c.dataChecksumVersion()));
    assertEquals(field("Mock authentication nonce"), HexFormat.of().formatHex(c.mockAuthenticationNonce()));
  }

  @Test
  void writeThenReadIsByteIdentical() throws Exception {
    byte[] again = ControlFile.decode(file).encode();
    assertEquals(ControlFile.FILE_SIZE, again.length);
    assertArrayEquals(file, again);
  }

  @Test
  void aFlippedBitIsACrcErrorNamingTheStoredAndComputedValues() {
    byte[] bad = file.clone();
    bad[60] ^= 0x10;
    WireFormatException e = assertThrows(WireFormatException.class, () -> ControlFile.decode(bad));
    assertEquals("crc", e.field());
    assertTrue(e.getMessage().contains("computed 0x"), e.getMessage());
  }

  @Test
  void anotherControlVersionIsRefusedBeforeTheCrc() {
    byte[] bad = file.clone();
    bad[8] = 0x0F; // 1300 = 0x0514 → 0x050F
    WireFormatException e = assertThrows(WireFormatException.class, () -> ControlFile.decode(bad));
    assertEquals("pg_control_version", e.field());
    assertEquals("1295", e.value());
  }

  @Test
  void aShortFileIsRefusedNamingItsLength() {
    WireFormatException e = assertThrows(WireFormatException.class, () -> ControlFile.decode(new byte[100]));
    assertEquals("100", e.value());
  }

  @Test
  void shutDownAtPointsTheFileAtTheCheckpointAndClearsRecoveryFields() throws Exception {
    ControlFile c = ControlFile.decode(file);
    Lsn x = Lsn.parse("0/2000800");
    CheckPoint cp = c.checkPointCopy().withRedo(x).withTime(1_700_000_000L);
    ControlFile moved = ControlFile.decode(c.shutDownAt(cp).encode());
    assertEquals(x, moved.checkPoint());
    assertEquals(cp, moved.checkPointCopy());
    assertEquals(ControlFile.DbState.SHUTDOWNED, moved.state());
    assertEquals(Lsn.INVALID, moved.minRecoveryPoint());
    assertEquals(c.systemIdentifier(), moved.systemIdentifier());
  }

  @Test
  void pgControldataAcceptsAFileWeWrote() throws Exception {
    ControlFile c = ControlFile.decode(file);
    CheckPoint cp = c.checkPointCopy().withRedo(Lsn.parse("0/2000800"));
    Files.write(pg.dataDir().resolve("global/pg_control"), c.shutDownAt(cp).encode());
    try {
      String out = pg.runTool(List.of("pg_controldata", "-D", pg.dataDir().toString()), Duration.ofSeconds(30));
      assertTrue(!out.contains("WARNING"), out);
      assertTrue(out.contains("Latest checkpoint location:           0/2000800"), out);
    } finally {
      Files.write(pg.dataDir().resolve("global/pg_control"), file);
    }
  }
}
