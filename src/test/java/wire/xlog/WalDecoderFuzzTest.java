package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import wire.xlog.WalFormatException.Kind;

/**
 * Damaged real WAL (initdb's, 2 MiB of it) must end in records or a typed error: truncated
 * streams, flipped bits, bad lengths, garbage pages and damaged compressed images. The timeout
 * only guards against a hang.
 */
@ExtendWith(ProcessLogs.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WalDecoderFuzzTest {
  private static final Lsn START = Lsn.of(Lsn.DEFAULT_SEGMENT_SIZE);
  private static final int WINDOW = 2 << 20;
  private static byte[] wal;
  private static List<WalRecord> clean;

  /** What decoding produced: the records before the error, and the error or null. */
  private record Outcome(List<WalRecord> records, WalFormatException error) {}

  @BeforeAll
  static void readInitdbWal() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().initOnly().start()) {
      byte[] segment = Files.readAllBytes(pg.dataDir().resolve("pg_wal").resolve(START.segmentFileName(1, Lsn.DEFAULT_SEGMENT_SIZE)));
      wal = Arrays.copyOf(segment, WINDOW);
    }
    Outcome o = decode(wal, WINDOW, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
    assertEquals(null, o.error());
    clean = o.records();
    assertTrue(clean.size() > 1000, clean.size() + " records");
  }

  private static Outcome decode(byte[] bytes, int length, WalDecoder decoder) {
    List<WalRecord> out = new ArrayList<>();
    try {
      for (int at = 0; at < length; at += 65536) {
        decoder.feed(ByteBuffer.wrap(bytes, at, Math.min(65536, length - at)));
        for (WalRecord r; (r = decoder.next()) != null; ) out.add(r);
      }
      return new Outcome(out, null);
    } catch (WalFormatException e) {
      assertTrue(e.getMessage().contains(e.lsn().toString()), "the message names the LSN: " + e.getMessage());
      WalFormatException again = assertThrows(WalFormatException.class, decoder::next);
      assertSame(e, again, "a failed decoder stays failed");
      return new Outcome(out, e);
    }
  }

  private static int offset(long lsn) {
    return (int) (lsn - START.value());
  }

  private static boolean onOnePage(WalRecord r) {
    return r.lsnValue() / 8192 == (r.lsnValue() + r.totalLength() - 1) / 8192;
  }

  @Test
  void aFlippedBitInsideARecordIsCaught() {
    Random random = new Random(1);
    List<WalRecord> candidates = clean.stream().filter(WalDecoderFuzzTest::onOnePage).toList();
    for (int i = 0; i < 300; i++) {
      WalRecord r = candidates.get(random.nextInt(candidates.size()));
      byte[] damaged = wal.clone();
      int bit = random.nextInt(r.totalLength() * 8);
      damaged[offset(r.lsnValue()) + bit / 8] ^= (byte) (1 << (bit % 8));
      Outcome o = decode(damaged, WINDOW, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
      assertNotNull(o.error(), "flipped bit " + bit + " of the record at " + r.lsn() + " went unnoticed");
      assertTrue(o.records().stream().allMatch(x -> x.lsnValue() < r.lsnValue()), "no record at or after the damage");
    }
  }

  @Test
  void flippedBitsAnywhereEndInACleanPrefixOrATypedError() {
    Random random = new Random(2);
    for (int i = 0; i < 200; i++) {
      byte[] damaged = wal.clone();
      int at = random.nextInt(WINDOW);
      damaged[at] ^= (byte) (1 << random.nextInt(8));
      Outcome o = decode(damaged, WINDOW, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
      long damage = START.value() + at;
      for (int k = 0; k < o.records().size(); k++) {
        WalRecord r = o.records().get(k);
        if (r.endLsnValue() <= damage) assertEquals(clean.get(k).toString(), r.toString(), "record before the damage");
      }
    }
  }

  @Test
  void aTruncatedStreamYieldsTheRecordsThatAreComplete() {
    Random random = new Random(3);
    for (int i = 0; i < 100; i++) {
      int cut = random.nextInt(WINDOW);
      Outcome o = decode(wal, cut, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
      assertEquals(null, o.error());
      long end = START.value() + cut;
      long complete = clean.stream().filter(r -> r.endLsnValue() <= end).count();
      assertTrue(o.records().size() >= complete && o.records().size() <= complete + 1, "records up to " + Lsn.of(end));
      for (int k = 0; k < o.records().size(); k++) assertEquals(clean.get(k).toString(), o.records().get(k).toString());
    }
  }

  private static Kind kindAfterSettingLength(WalRecord r, long totalLength, WalDecoder decoder) {
    byte[] damaged = wal.clone();
    ByteBuffer.wrap(damaged).order(ByteOrder.LITTLE_ENDIAN).putInt(offset(r.lsnValue()), (int) totalLength);
    Outcome o = decode(damaged, WINDOW, decoder);
    assertNotNull(o.error(), "length " + totalLength + " at " + r.lsn());
    return o.error().kind();
  }

  @Test
  void badRecordLengthsAreRejectedBeforeBuffering() {
    Random random = new Random(4);
    for (int i = 0; i < 50; i++) {
      WalRecord r = clean.get(random.nextInt(clean.size()));
      WalDecoder decoder = WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE);
      assertEquals(Kind.RECORD_TOO_LONG, kindAfterSettingLength(r, (1L << 30) + 1 + random.nextInt(Integer.MAX_VALUE), decoder));
      assertEquals(Kind.INVALID_RECORD_LENGTH,
          kindAfterSettingLength(r, 1 + random.nextInt(23), WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE)));
      assertEquals(Kind.END_OF_WAL, kindAfterSettingLength(r, 0, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE)));
      Kind longer = kindAfterSettingLength(r, r.totalLength() + 8 + random.nextInt(1 << 20),
          WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
      assertTrue(longer == Kind.BAD_CRC || longer == Kind.MISSING_CONTRECORD || longer == Kind.INVALID_CONTRECORD_LENGTH,
          "a longer length at " + r.lsn() + " gave " + longer);
    }
    WalRecord big = clean.stream().filter(r -> r.totalLength() > 4096).findFirst().orElseThrow();
    Outcome o = decode(wal, WINDOW, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE).maxRecordLength(4096));
    assertEquals(Kind.RECORD_TOO_LONG, o.error().kind());
    assertTrue(o.error().lsn().compareTo(big.lsn()) <= 0);
  }

  @Test
  void aGarbagePageFailsWithAnInvalidPageHeaderNamingIt() {
    Random random = new Random(5);
    for (int i = 0; i < 50; i++) {
      int page = 1 + random.nextInt(WINDOW / 8192 - 1);
      byte[] damaged = wal.clone();
      byte[] garbage = new byte[8192];
      random.nextBytes(garbage);
      System.arraycopy(garbage, 0, damaged, page * 8192, 8192);
      Outcome o = decode(damaged, WINDOW, WalDecoder.startingAt(START, Lsn.DEFAULT_SEGMENT_SIZE));
      assertEquals(Kind.INVALID_PAGE_HEADER, o.error().kind(), o.error().getMessage());
      assertEquals(START.plus(page * 8192L), o.error().lsn());
    }
  }

  @Test
  void damagedCompressedImagesFailWithATypedError() throws WalFormatException {
    byte[] page = clean.stream().flatMap(r -> r.blocks().stream()).filter(BlockRef::hasImage).findFirst().orElseThrow()
        .image().restorePage();
    byte[] lz4 = LZ4Factory.fastestInstance().fastCompressor().compress(page);
    byte[] zstd = Zstd.compress(page);
    Random random = new Random(6);
    int failures = 0;
    for (int i = 0; i < 3000; i++) {
      boolean useLz4 = i % 3 == 0;
      byte[] src = (useLz4 ? lz4 : zstd).clone();
      int flags = useLz4 ? BlockImage.COMPRESS_LZ4 : i % 3 == 1 ? BlockImage.COMPRESS_ZSTD : BlockImage.COMPRESS_PGLZ;
      for (int k = 0; k < 1 + random.nextInt(4); k++) src[random.nextInt(src.length)] ^= (byte) (1 << random.nextInt(8));
      BlockImage image = new BlockImage(ByteBuffer.wrap(src), 0, src.length, 0, 0, flags, START.value());
      try {
        assertEquals(8192, image.restorePage().length);
      } catch (WalFormatException e) {
        assertEquals(Kind.BAD_COMPRESSED_IMAGE, e.kind());
        failures++;
      }
    }
    assertTrue(failures > 1000, failures + " damaged images rejected");
    BlockImage intact = new BlockImage(ByteBuffer.wrap(lz4), 0, lz4.length, 0, 0, BlockImage.COMPRESS_LZ4, START.value());
    assertTrue(Arrays.equals(page, intact.restorePage()), "an intact lz4 image restores the page");
    BlockImage unknown = new BlockImage(ByteBuffer.wrap(lz4), 0, lz4.length, 0, 0, 0x20, START.value());
    WalFormatException e = assertThrows(WalFormatException.class, unknown::restorePage);
    assertEquals(Kind.UNKNOWN_COMPRESSION, e.kind());
    assertTrue(e.getMessage().contains("0x20"), e.getMessage());
  }
}
