package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import testkit.ProcessLogs;
import wire.xlog.WalFormatException.Kind;

/**
 * The record ends found by walking headers must be the ends WalDecoder finds, on real WAL (page
 * spanning records, compressed images, an XLOG_SWITCH), whatever the chunk sizes; structural damage
 * must fail with WalDecoder's error kinds.
 */
@ExtendWith(ProcessLogs.class)
class WalRecordEndsTest {
  private static byte[] wal;
  private static Lsn start;
  private static List<WalRecord> records;

  @BeforeAll
  static void produceWal(@TempDir Path dir) throws Exception {
    WalWorkload.Result r = WalWorkload.runOnNewServer(dir.resolve("wal"));
    start = r.start();
    byte[] all = r.readAll();
    wal = java.util.Arrays.copyOf(all, (int) r.end().minus(start));
    WalDecoder d = WalDecoder.startingAt(start, Lsn.DEFAULT_SEGMENT_SIZE);
    d.feed(wal);
    records = new ArrayList<>();
    for (WalRecord rec; (rec = d.next()) != null; ) records.add(rec);
    assertTrue(records.stream().anyMatch(WalRecord::isSwitch), "the workload switches segments");
  }

  private static void feedInChunks(Lsn from, Random random, int maxChunk) throws WalFormatException {
    WalRecordEnds ends = WalRecordEnds.startingAt(from, Lsn.DEFAULT_SEGMENT_SIZE);
    WalDecoder decoder = WalDecoder.startingAt(from, Lsn.DEFAULT_SEGMENT_SIZE);
    Lsn decoded = Lsn.INVALID;
    int at = (int) from.minus(start);
    while (at < wal.length) {
      int n = Math.min(wal.length - at, 1 + random.nextInt(maxChunk));
      ByteBuffer chunk = ByteBuffer.wrap(wal, at, n);
      ends.feed(chunk);
      assertEquals(at, chunk.position(), "the chunk is left as it was");
      decoder.feed(ByteBuffer.wrap(wal, at, n));
      for (WalRecord r; (r = decoder.next()) != null; ) decoded = r.endLsn();
      at += n;
      assertEquals(decoded, ends.lastRecordEnd(), "record end after " + Lsn.of(start.value() + at));
    }
    assertEquals(records.get(records.size() - 1).endLsn(), ends.lastRecordEnd());
  }

  @Test
  void findsTheDecodersRecordEndsWhateverTheChunks() throws Exception {
    Random random = new Random(1);
    feedInChunks(start, random, 200_000);
    feedInChunks(start, random, 9000);
    feedInChunks(start, random, 100);
  }

  @Test
  void startsAtAnyRecordStartOrPageBoundary() throws Exception {
    Random random = new Random(2);
    for (int i = 0; i < 20; i++) {
      WalRecord r = records.get(random.nextInt(records.size() - 1));
      feedInChunks(r.lsn(), random, 50_000);
      long page = r.lsnValue() - r.lsnValue() % Lsn.WAL_PAGE_SIZE;
      feedInChunks(Lsn.of(page), random, 50_000);
    }
  }

  private static Kind kindOf(byte[] damaged) {
    WalRecordEnds ends = WalRecordEnds.startingAt(start, Lsn.DEFAULT_SEGMENT_SIZE);
    WalFormatException e = assertThrows(WalFormatException.class, () -> {
      for (int at = 0; at < damaged.length; at += 65536) ends.feed(ByteBuffer.wrap(damaged, at, Math.min(65536, damaged.length - at)));
    });
    assertTrue(e.getMessage().contains(e.lsn().toString()), e.getMessage());
    assertThrows(WalFormatException.class, () -> ends.feed(ByteBuffer.allocate(1)), "a failed walk stays failed");
    return e.kind();
  }

  @Test
  void structuralDamageIsRefusedAsWalDecoderRefusesIt() {
    Random random = new Random(3);
    for (int i = 0; i < 30; i++) {
      WalRecord r = records.get(1 + random.nextInt(records.size() - 2));
      int off = (int) (r.lsnValue() - start.value());
      boolean headerOnPage = Lsn.WAL_PAGE_SIZE - r.lsnValue() % Lsn.WAL_PAGE_SIZE >= XLogRecordFormat.HEADER_SIZE;
      byte[] zeroLength = wal.clone();
      ByteBuffer.wrap(zeroLength).order(ByteOrder.LITTLE_ENDIAN).putInt(off, 0);
      assertEquals(Kind.END_OF_WAL, kindOf(zeroLength));
      byte[] shortLength = wal.clone();
      ByteBuffer.wrap(shortLength).order(ByteOrder.LITTLE_ENDIAN).putInt(off, 5);
      assertEquals(Kind.INVALID_RECORD_LENGTH, kindOf(shortLength));
      if (headerOnPage) {
        byte[] badPrev = wal.clone();
        ByteBuffer.wrap(badPrev).order(ByteOrder.LITTLE_ENDIAN).putLong(off + 8, r.lsnValue() - 8);
        assertEquals(Kind.BAD_PREV_LINK, kindOf(badPrev));
      }
    }
    byte[] badMagic = wal.clone();
    badMagic[3 * Lsn.WAL_PAGE_SIZE] ^= 1;
    assertEquals(Kind.INVALID_PAGE_HEADER, kindOf(badMagic));
  }

  @Test
  void aPayloadBitFlipIsNotItsBusiness() throws Exception {
    // No CRC here: a safekeeper stores the proposer's bytes as they came; CRCs are checked by the readers.
    WalRecord r = records.stream().filter(x -> x.totalLength() > 200 && !x.isSwitch()
        && x.lsnValue() / Lsn.WAL_PAGE_SIZE == (x.lsnValue() + x.totalLength() - 1) / Lsn.WAL_PAGE_SIZE).findFirst().orElseThrow();
    byte[] damaged = wal.clone();
    damaged[(int) (r.lsnValue() - start.value()) + r.totalLength() - 1] ^= 0x10;
    WalRecordEnds ends = WalRecordEnds.startingAt(start, Lsn.DEFAULT_SEGMENT_SIZE);
    ends.feed(ByteBuffer.wrap(damaged));
    assertEquals(records.get(records.size() - 1).endLsn(), ends.lastRecordEnd());
  }
}
