package wire.xlog.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testkit.WalChecks;
import wire.xlog.Lsn;

/** The warm-up's synthetic WAL is WAL PostgreSQL's own reader accepts, with the record kinds of an OLTP load. */
class RehearsalWalTest {
  private static final int SEGMENT = 16 << 20;

  @TempDir
  Path dir;

  @Test
  void pgWaldumpReadsEveryRecordAndFindsTheOltpRecordKinds() throws Exception {
    Lsn from = RehearsalWal.start(SEGMENT);
    byte[] wal = RehearsalWal.generate(1 << 20, SEGMENT);
    byte[] header = WalStreamEncoder.withZeroPrefix(new WalIdentity(RehearsalWal.SYSTEM_ID, 1, SEGMENT), from).bytes();
    byte[] segment = new byte[SEGMENT];
    System.arraycopy(header, 0, segment, 0, header.length);
    System.arraycopy(wal, 0, segment, (int) (from.value() - SEGMENT), wal.length);
    Files.write(dir.resolve("000000010000000000000001"), segment);

    WalChecks.Dump dump = WalChecks.waldump(dir, from, from.plus(wal.length));
    assertEquals(0, dump.exitCode(), dump.output());
    for (String kind : new String[] {"desc: INSERT off", "desc: INSERT+INIT", "desc: HOT_UPDATE", "desc: UPDATE off", "desc: LOCK",
        "desc: PRUNE", "desc: VISIBLE", "desc: MULTI_INSERT", "desc: INSERT_LEAF", "desc: COMMIT", "desc: FPI ", "desc: DELETE", "desc: INPLACE", "desc: FPI_FOR_HINT",
        "desc: RUNNING_XACTS", "desc: ZEROPAGE", "desc: NEXTOID"}) {
      assertTrue(dump.output().contains(kind), "pg_waldump shows a record with '" + kind + "'");
    }
    assertTrue(dump.output().contains("blkref #1: rel 1663/5/16384"), "two-block records (an UPDATE's old page, VISIBLE's heap page)");
    assertTrue(dump.output().contains("fork vm blk 0 FPW"), "the visibility map page's image");
    assertTrue(dump.output().contains("rel 1663/5/16387 blk 15"), "the history table keeps growing");
  }
}
