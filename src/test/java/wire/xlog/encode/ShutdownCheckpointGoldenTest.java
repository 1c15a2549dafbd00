package wire.xlog.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import testkit.OsUser;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.pgdata.CheckPoint;
import wire.pgdata.ControlFile;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;
import wire.xlog.XLogRecordFormat;

/** Golden tests of the encoder against a real PostgreSQL 15: its own record, pg_waldump, and a real start at X. */
class ShutdownCheckpointGoldenTest {
  private static final int SEG = 16 << 20;

  /** The bytes of the record at {@code at}, read from pg_wal with page headers skipped. */
  private static byte[] readRecord(Path pgWal, int tli, Lsn at, int length) throws Exception {
    byte[] seg = Files.readAllBytes(pgWal.resolve(at.segmentFileName(tli, SEG)));
    byte[] rec = new byte[length];
    long pos = at.value();
    for (int i = 0; i < length; i++, pos++) {
      if (pos % 8192 == 0) pos += WalPageHeader.sizeOfPageAt(pos, SEG);
      rec[i] = seg[(int) (pos % SEG)];
    }
    return rec;
  }

  /** pg_waldump's output; it exits non-zero at the end of valid WAL, which is expected here. */
  private static String waldump(Path dir, Lsn start) throws Exception {
    ProcessBuilder b = new ProcessBuilder(PostgresFixture.bin("pg_waldump"), "-p", dir.toString(), "-s", start.toString());
    Process p = b.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out;
  }

  @Test
  void recordIsByteIdenticalToTheShutdownCheckpointPostgresWrote() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().start()) {
      pg.psql("create table t as select generate_series(1, 1000) x");
      pg.stop("fast");
      ControlFile control = ControlFile.decode(Files.readAllBytes(pg.dataDir().resolve("global/pg_control")));
      Lsn at = control.checkPoint();
      CheckPoint cp = control.checkPointCopy();
      byte[] real = readRecord(pg.dataDir().resolve("pg_wal"), cp.thisTimeLineId(), at, ShutdownCheckpoint.RECORD_LENGTH);
      Lsn prev = new Lsn(ByteBuffer.wrap(real).order(ByteOrder.LITTLE_ENDIAN).getLong(8));
      assertTrue(prev.isValid() && prev.isBefore(at), "prev " + prev);
      assertArrayEquals(real, ShutdownCheckpoint.record(cp, prev));
    }
  }

  @Test
  void pgWaldumpReadsOurRecordsAcrossAPageAndASegmentBoundary() throws Exception {
    Path dir = Files.createTempDirectory("strata-wal-");
    try {
      WalIdentity id = new WalIdentity(7_000_000_000_000_000_001L, 1, SEG);
      Lsn x = Lsn.parse("0/1FFFFC8");
      CheckPoint cp = new CheckPoint(x, 1, 1, true, (3L << 32) | 735, 16391, 5, 9, 716, 1, 1, 1, 1_700_000_000L, 0, 0, 0);
      WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(id, x);
      Lsn prev = Lsn.parse("0/1FFFF00");
      wal.append(ShutdownCheckpoint.record(cp, prev));
      Lsn second = wal.append(XLogRecordFormat.encode(0, 0x30, 0, x, new byte[] {0x39, 0x30, 0, 0}));
      Lsn third = wal.append(XLogRecordFormat.encode(0, 0x20, 0, second, new byte[20_000]));
      for (WalStreamEncoder.Segment s : wal.segments()) Files.write(dir.resolve(s.fileName()), s.bytes());
      String out = waldump(dir, x);
      assertTrue(out.contains("rmgr: XLOG        len (rec/tot):    114/   114, tx:          0, lsn: 0/01FFFFC8, "
          + "prev 0/01FFFF00, desc: CHECKPOINT_SHUTDOWN redo 0/1FFFFC8; tli 1; prev tli 1; fpw true; xid 3:735; "
          + "oid 16391; multi 5; offset 9; oldest xid 716 in DB 1; oldest multi 1 in DB 1; "
          + "oldest/newest commit timestamp xid: 0/0; oldest running xid 0; shutdown"), out);
      assertEquals(Lsn.parse("0/2000068"), second);
      assertTrue(out.contains("lsn: 0/02000068, prev 0/01FFFFC8, desc: NEXTOID 12345"), out);
      assertTrue(out.contains("len (rec/tot):  20029/ 20029, tx:          0, lsn: " + String.format("0/%08X", third.value())
          + ", prev 0/02000068, desc: NOOP"), out);
    } finally {
      TempDirs.delete(dir);
    }
  }

  /**
   * The whole recipe of start-at-lsn.md: a cleanly shut down cluster is moved to a checkpoint we
   * wrote at X in a later segment; PostgreSQL starts without recovery and writes after X.
   */
  @Test
  void postgresStartsWithoutRecoveryFromOurCheckpointAndContinuesAtX() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().start()) {
      pg.psql("create table t as select generate_series(1, 1000) x");
      pg.stop("fast");
      Path control = pg.dataDir().resolve("global/pg_control");
      ControlFile old = ControlFile.decode(Files.readAllBytes(control));
      Lsn x = old.checkPoint().segmentStart(SEG).plus(SEG + 0x800L);
      CheckPoint cp = old.checkPointCopy().withRedo(x).withTime(System.currentTimeMillis() / 1000);
      WalIdentity id = new WalIdentity(old.systemIdentifier(), cp.thisTimeLineId(), old.build().xlogSegSize());
      Path pgWal = pg.dataDir().resolve("pg_wal");
      try (var files = Files.list(pgWal)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) Files.delete(f);
      }
      for (WalStreamEncoder.Segment s : ShutdownCheckpoint.segmentsWithZeroPrefix(id, cp, old.checkPoint())) {
        Files.write(pgWal.resolve(s.fileName()), s.bytes());
      }
      Files.write(control, old.shutDownAt(cp).encode());
      OsUser.own(pg.dataDir());

      pg.startServer();
      assertEquals("1000", pg.psql("select count(*) from t").trim());
      pg.psql("insert into t values (1001)");
      String log = Files.readString(pg.logFile());
      assertTrue(log.contains("database system was shut down at"), log);
      assertFalse(log.contains("redo starts"), log);
      assertFalse(log.contains("automatic recovery"), log);
      pg.stop("fast");

      String dump = pg.runTool(new ArrayList<>(List.of("pg_waldump", "-p", pgWal.toString(), "-s", x.toString(), "-n", "2")),
          Duration.ofSeconds(60));
      assertTrue(dump.contains("desc: CHECKPOINT_SHUTDOWN redo " + x), dump);
      assertTrue(dump.contains("lsn: " + String.format("0/%08X", x.plus(120).value()) + ", prev "
          + String.format("0/%08X", x.value())), dump);
    }
  }
}
