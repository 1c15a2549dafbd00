package store.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalRecord;

/** The safekeeper WAL store fed with real PostgreSQL 15 WAL, as a proposer would send it. */
@ExtendWith(ProcessLogs.class)
class WalStoreTest {
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;
  private static byte[] segment;          // one complete segment written by PostgreSQL
  private static Lsn segmentStart;
  private static List<WalRecord> records;  // its records, in order

  @TempDir Path dir;

  @BeforeAll
  static void produceWal() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().set("wal_level", "replica").start()) {
      pg.psql("create table t(id int primary key, v text); insert into t select g, repeat('x', g % 500) from generate_series(1, 20000) g");
      String file = pg.psql("select pg_walfile_name(pg_current_wal_lsn())").trim();
      pg.psql("select pg_switch_wal()");
      segment = Files.readAllBytes(pg.dataDir().resolve("pg_wal").resolve(file));
      segmentStart = Lsn.of(Lsn.segmentNumberOf(file, SEG) * SEG);
    }
    WalDecoder decoder = WalDecoder.startingAt(segmentStart, SEG);
    decoder.feed(segment);
    records = new ArrayList<>();
    for (WalRecord r; (r = decoder.next()) != null; ) records.add(r);
    assertTrue(records.size() > 100, "a busy segment: " + records.size() + " records");
  }

  @AfterAll
  static void release() {
    segment = null;
    records = null;
  }

  /** Appends [from, to) of the segment in proposer-sized chunks. */
  private static void appendRange(WalStore store, Lsn from, Lsn to) throws Exception {
    for (Lsn at = from; at.isBefore(to); ) {
      int n = (int) Math.min(128 * 1024, to.minus(at));
      int off = (int) at.minus(segmentStart);
      store.append(at, ByteBuffer.wrap(Arrays.copyOfRange(segment, off, off + n)));
      at = at.plus(n);
    }
  }

  private static Lsn lastRecordEndBefore(Lsn limit) {
    Lsn end = segmentStart;
    for (WalRecord r : records) if (!r.endLsn().isAfter(limit)) end = r.endLsn();
    return end;
  }

  @Test
  void reportsOnlyDurableRecordEndsAndStoresIdenticalBytes() throws Exception {
    Lsn mid = segmentStart.plus(SEG / 2 + 12345);   // inside some record
    try (WalStore store = WalStore.open(dir, SEG, Lsn.INVALID)) {
      store.truncate(segmentStart, 0);
      appendRange(store, segmentStart, mid);
      assertEquals(segmentStart, store.flushLsn(), "nothing is flushed before fsync");
      store.flush();
      assertEquals(lastRecordEndBefore(mid), store.flushLsn(), "flush_lsn is the end of the last complete record");
      assertEquals(mid, store.writeLsn());
      appendRange(store, mid, segmentStart.plus(SEG));
      store.flush();
    }
    byte[] stored = Files.readAllBytes(dir.resolve(segmentStart.segmentFileName(1, SEG)));
    assertArrayEquals(segment, stored, "a complete segment is byte-identical and has its final name");
  }

  @Test
  void restartFindsTheEndByScanningFromCommitLsnAndIgnoresATornTail() throws Exception {
    Lsn cut = segmentStart.plus(SEG / 3);
    Lsn expectedEnd = lastRecordEndBefore(cut);
    try (WalStore store = WalStore.open(dir, SEG, Lsn.INVALID)) {
      store.truncate(segmentStart, 0);
      appendRange(store, segmentStart, cut);
      store.flush();
    }
    Lsn commit = records.get(records.size() / 10).lsn();
    try (WalStore store = WalStore.open(dir, SEG, commit)) {
      assertEquals(expectedEnd, store.flushLsn());
      assertEquals(expectedEnd, store.writeLsn());
      var e = assertThrows(WalStore.RefusedAppend.class, () -> store.append(expectedEnd, ByteBuffer.allocate(8)));
      assertTrue(e.getMessage().contains("truncation"), e.getMessage());
      store.truncate(expectedEnd, 0);
      appendRange(store, expectedEnd, segmentStart.plus(SEG));
      store.flush();
    }
    assertArrayEquals(segment, Files.readAllBytes(dir.resolve(segmentStart.segmentFileName(1, SEG))),
        "the torn tail was zeroed and rewritten");
  }

  @Test
  void overlapsAndGapsAreRefusedWithoutWriting() throws Exception {
    try (WalStore store = WalStore.open(dir, SEG, Lsn.INVALID)) {
      store.truncate(segmentStart, 0);
      appendRange(store, segmentStart, segmentStart.plus(8192));
      var overlap = assertThrows(WalStore.RefusedAppend.class, () -> store.append(segmentStart.plus(100), ByteBuffer.allocate(8)));
      assertTrue(overlap.getMessage().contains("rewrites"), overlap.getMessage());
      var gap = assertThrows(WalStore.RefusedAppend.class, () -> store.append(segmentStart.plus(9000), ByteBuffer.allocate(8)));
      assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
      assertEquals(segmentStart.plus(8192), store.writeLsn());
    }
  }

  @Test
  void undecodableWalIsRefusedAndNotWritten() throws Exception {
    try (WalStore store = WalStore.open(dir, SEG, Lsn.INVALID)) {
      store.truncate(segmentStart, 0);
      byte[] page = Arrays.copyOf(segment, 8192);
      page[0] ^= 0x7F;   // break the page magic
      var e = assertThrows(WalStore.RefusedAppend.class, () -> store.append(segmentStart, ByteBuffer.wrap(page)));
      assertTrue(e.getMessage().contains(segmentStart.toString()), e.getMessage());
      assertEquals(segmentStart, store.writeLsn());
    }
  }

}
