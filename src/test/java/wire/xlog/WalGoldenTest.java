package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.ProcessLogs;
import testkit.TempDirs;

/** The decoder and {@code strata waldump} against pg_waldump, record by record, on real PostgreSQL 15 WAL. */
@ExtendWith(ProcessLogs.class)
class WalGoldenTest {
  private static Path root;
  private static WalWorkload.Result wal;
  private static byte[] bytes;
  private static List<PgWaldump.Line> expected;
  private static List<WalRecord> decoded;

  @BeforeAll
  static void produceWal() throws Exception {
    root = Files.createTempDirectory("strata-wal-golden-");
    wal = WalWorkload.runOnNewServer(root.resolve("wal"));
    bytes = wal.readAll();
    expected = PgWaldump.run(wal.walDir(), wal.start(), wal.end());
    Random sizes = new Random(42);
    decoded = Decoding.all(WalDecoder.startingAt(wal.start(), Lsn.DEFAULT_SEGMENT_SIZE), bytes, wal.start(), wal.start(),
        wal.end(), () -> 1 + sizes.nextInt(200_000));
  }

  @AfterAll
  static void removeWal() {
    TempDirs.delete(root);
  }

  @Test
  void everyRecordMatchesPgWaldump() {
    assertTrue(expected.size() > 10_000, "the workload produced " + expected.size() + " records");
    assertEquals(expected.size(), decoded.size(), "record count");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(describe(expected.get(i)), describe(decoded.get(i)), "record #" + i);
    }
    System.out.println("WalGoldenTest: " + decoded.size() + " records match pg_waldump, "
        + decoded.stream().mapToLong(r -> r.blocks().size()).sum() + " block references");
  }

  @Test
  void blockReferencesAreBuiltOnceAndKept() {
    WalRecord r = decoded.stream().filter(x -> x.blocks().size() > 1).findFirst().orElseThrow();
    assertTrue(r.blocks().get(1) == r.blocks().get(1), "the same object on every read");
    assertEquals(r.blocks().size(), r.blocks().stream().map(BlockRef::id).distinct().count());
  }

  @Test
  void recordTypeNamesFollowTheInfoByte() {
    Map<String, String> typeByInfo = new HashMap<>();
    int known = 0;
    for (int i = 0; i < expected.size(); i++) {
      PgWaldump.Line line = expected.get(i);
      WalRecord r = decoded.get(i);
      String key = r.rmgrName() + "/" + r.rmgrInfo();
      String earlier = typeByInfo.putIfAbsent(key, line.type());
      assertEquals(earlier == null ? line.type() : earlier, line.type(), "one record type per rmgr and info at " + r.lsn());
      Integer info = KNOWN_INFO.get(line.rmgr() + " " + line.type());
      if (info != null) {
        int mask = line.rmgr().equals("Transaction") ? 0x70 : 0xF0;
        assertEquals(info.intValue(), r.rmgrInfo() & mask, line.rmgr() + " " + line.type() + " at " + r.lsn());
        known++;
      }
    }
    assertTrue(known > 1000, "checked " + known + " records of known types");
  }

  /** Info values from the PostgreSQL 15 headers (xlog, xact, heapam_xlog, standbydefs, storage_xlog). */
  private static final Map<String, Integer> KNOWN_INFO = Map.ofEntries(
      Map.entry("XLOG CHECKPOINT_SHUTDOWN", 0x00), Map.entry("XLOG CHECKPOINT_ONLINE", 0x10),
      Map.entry("XLOG NEXTOID", 0x30), Map.entry("XLOG SWITCH", 0x40), Map.entry("XLOG FPI_FOR_HINT", 0xA0),
      Map.entry("XLOG FPI", 0xB0), Map.entry("Transaction COMMIT", 0x00), Map.entry("Transaction PREPARE", 0x10),
      Map.entry("Transaction ABORT", 0x20), Map.entry("Transaction COMMIT_PREPARED", 0x30),
      Map.entry("Transaction ABORT_PREPARED", 0x40), Map.entry("Transaction ASSIGNMENT", 0x50),
      Map.entry("Heap INSERT", 0x00), Map.entry("Heap INSERT+INIT", 0x80), Map.entry("Heap DELETE", 0x10),
      Map.entry("Heap UPDATE", 0x20), Map.entry("Heap HOT_UPDATE", 0x40), Map.entry("Heap TRUNCATE", 0x30),
      Map.entry("Heap LOCK", 0x60), Map.entry("Heap INPLACE", 0x70), Map.entry("Standby LOCK", 0x00),
      Map.entry("Standby RUNNING_XACTS", 0x10), Map.entry("Standby INVALIDATIONS", 0x20),
      Map.entry("Storage CREATE", 0x10), Map.entry("Storage TRUNCATE", 0x20));

  @Test
  void endLsnIsWherePostgresReadsTheNextRecord() {
    int atPageBoundary = 0;
    int switches = 0;
    for (int i = 0; i + 1 < decoded.size(); i++) {
      WalRecord r = decoded.get(i);
      long end = r.endLsnValue();
      long next = decoded.get(i + 1).lsnValue();
      assertEquals(0, end % 8, "end is MAXALIGNed at " + r.lsn());
      assertEquals(next, decoded.get(i + 1).prev().value() == r.lsnValue() ? next : -1, "prev-link chain at " + Lsn.of(next));
      if (r.isSwitch()) {
        switches++;
        assertEquals(0, end % Lsn.DEFAULT_SEGMENT_SIZE, "a SWITCH record ends at the next segment, " + r.lsn());
      }
      if (end % Lsn.WAL_PAGE_SIZE == 0) {
        atPageBoundary++;
        int header = WalPageHeader.sizeOfPageAt(end, Lsn.DEFAULT_SEGMENT_SIZE);
        assertEquals(Lsn.of(end + header), Lsn.of(next), "record after " + r.lsn() + " follows the page header");
      } else {
        assertEquals(Lsn.of(end), Lsn.of(next), "record after " + r.lsn() + " starts at its end");
      }
    }
    assertTrue(switches > 0, "the workload switched segments");
    assertTrue(atPageBoundary > 0, "some record ended exactly on a page boundary");
  }

  @Test
  void waldumpCommandPrintsTheSameRecords() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      exit = Main.run("waldump", "--end", wal.end().toString(), wal.walDir().toString());
    } finally {
      System.setOut(old);
    }
    assertEquals(0, exit);
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(expected.size(), lines.size(), "line count");
    for (int i = 0; i < lines.size(); i++) {
      PgWaldump.Line e = expected.get(i);
      WalRecord r = decoded.get(i);
      String want = "lsn=" + e.lsn() + " end=" + r.endLsn() + " prev=" + e.prev() + " rmgr=" + e.rmgr()
          + String.format(" info=0x%02X", r.rmgrInfo()) + " xid=" + e.xid() + " len=" + e.recLength() + "/" + e.totLength()
          + " blks=" + (e.blocks().isEmpty() ? "-" : String.join(",", e.blocks()));
      assertEquals(want, lines.get(i), "line " + (i + 1));
    }
  }

  @Test
  void everyCompressedPageImageRestoresToAValidPage() throws WalFormatException {
    Map<BlockImage.Compression, Integer> restored = new HashMap<>();
    for (WalRecord r : decoded) {
      for (BlockRef b : r.blocks()) {
        if (!b.hasImage()) continue;
        byte[] page = b.image().restorePage();
        assertEquals(BlockImage.PAGE_SIZE, page.length);
        assertStandardPage(page, r, b);
        restored.merge(b.image().compression(), 1, Integer::sum);
      }
    }
    for (BlockImage.Compression c : BlockImage.Compression.values()) {
      assertTrue(restored.getOrDefault(c, 0) > 50, "page images restored per method: " + restored);
    }
  }

  /** PageHeaderData: pd_lsn, pd_lower/upper/special in order, pd_pagesize_version = 8192 | 4. */
  private static void assertStandardPage(byte[] page, WalRecord r, BlockRef b) {
    var p = java.nio.ByteBuffer.wrap(page).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    String where = b + " at " + r.lsn() + " (" + b.image().compression() + ")";
    if (p.getShort(18) == 0 && p.getShort(12) == 0) return; // a new, all-zero page
    assertEquals(0x2004, p.getShort(18) & 0xFFFF, "pd_pagesize_version of " + where);
    long pageLsn = ((p.getInt(0) & 0xFFFFFFFFL) << 32) | (p.getInt(4) & 0xFFFFFFFFL);
    assertTrue(Long.compareUnsigned(pageLsn, r.lsnValue()) <= 0, "pd_lsn " + Lsn.of(pageLsn) + " not after " + where);
    int lower = p.getShort(12) & 0xFFFF;
    int upper = p.getShort(14) & 0xFFFF;
    int special = p.getShort(16) & 0xFFFF;
    assertTrue(24 <= lower && lower <= upper && upper <= special && special <= 8192,
        "pd_lower " + lower + " pd_upper " + upper + " pd_special " + special + " of " + where);
    if (b.image().holeLength() > 0) {
      assertEquals(lower, b.image().holeOffset(), "the hole starts at pd_lower in " + where);
    }
    if (special == 8192) assertHeapTuplesBehindTheHole(p, lower, upper, where);
  }

  /** On heap pages each used line pointer must lead to a tuple whose t_hoff fits in it: the bytes after the hole are in place. */
  private static void assertHeapTuplesBehindTheHole(java.nio.ByteBuffer p, int lower, int upper, String where) {
    for (int item = 24; item + 4 <= lower; item += 4) {
      int lp = p.getInt(item);
      int offset = lp & 0x7FFF;
      int flags = (lp >>> 15) & 3;
      int length = lp >>> 17;
      if (flags != 1) continue; // only LP_NORMAL items carry a tuple here
      assertTrue(offset >= upper && offset + length <= 8192, "item at " + offset + " length " + length + " in " + where);
      int hoff = p.get(offset + 22) & 0xFF;
      assertTrue(hoff >= 23 && hoff <= length && hoff % 8 == 0, "t_hoff " + hoff + " of the tuple at " + offset + " in " + where);
    }
  }

  @Test
  void chunkBoundariesDoNotChangeTheRecords() throws WalFormatException {
    Lsn prefixEnd = wal.start().plus(512 * 1024);
    List<WalRecord> byteByByte = Decoding.all(WalDecoder.startingAt(wal.start(), Lsn.DEFAULT_SEGMENT_SIZE), bytes,
        wal.start(), wal.start(), prefixEnd, () -> 1);
    List<WalRecord> whole = Decoding.all(WalDecoder.startingAt(wal.start(), Lsn.DEFAULT_SEGMENT_SIZE), bytes,
        wal.start(), wal.start(), wal.end(), () -> Integer.MAX_VALUE);
    assertEquals(summary(decoded), summary(whole));
    assertTrue(byteByByte.size() > 100);
    assertEquals(summary(decoded.subList(0, byteByByte.size())), summary(byteByByte));
  }

  @Test
  void startingOnAPageInsideARecordSkipsItsTail() throws WalFormatException {
    WalRecord spanning = decoded.stream()
        .filter(r -> r.lsnValue() > wal.start().value() + Lsn.DEFAULT_SEGMENT_SIZE / 2)
        .filter(r -> r.lsnValue() / Lsn.WAL_PAGE_SIZE != (r.endLsnValue() - 1) / Lsn.WAL_PAGE_SIZE && !r.isSwitch())
        .findFirst().orElseThrow();
    Lsn page = Lsn.of((spanning.endLsnValue() - 1) & ~(long) (Lsn.WAL_PAGE_SIZE - 1));
    List<WalRecord> fromPage = Decoding.all(WalDecoder.startingAt(page, Lsn.DEFAULT_SEGMENT_SIZE), bytes, wal.start(), page,
        wal.end(), () -> 65536);
    List<WalRecord> tail = decoded.stream().filter(r -> r.lsnValue() > spanning.lsnValue()).toList();
    assertEquals(summary(tail), summary(fromPage));
  }

  @Test
  void startingAtARecordChecksThePrevLink() throws WalFormatException {
    WalRecord before = decoded.get(decoded.size() / 2);
    Lsn at = decoded.get(decoded.size() / 2 + 1).lsn();
    List<WalRecord> rest = Decoding.all(WalDecoder.startingAt(at, Lsn.DEFAULT_SEGMENT_SIZE).expectPrev(before.lsn()), bytes,
        wal.start(), at, wal.end(), () -> 100_000);
    assertEquals(summary(decoded.subList(decoded.size() / 2 + 1, decoded.size())), summary(rest));

    WalDecoder wrongPrev = WalDecoder.startingAt(at, Lsn.DEFAULT_SEGMENT_SIZE).expectPrev(at);
    WalFormatException e = org.junit.jupiter.api.Assertions.assertThrows(WalFormatException.class,
        () -> Decoding.all(wrongPrev, bytes, wal.start(), at, wal.end(), () -> 100_000));
    assertEquals(WalFormatException.Kind.BAD_PREV_LINK, e.kind());
    assertEquals(at, e.lsn());
  }

  @Test
  void skipRecordsBeforeReturnsOnlyLaterRecords() throws WalFormatException {
    Lsn from = decoded.get(1000).lsn();
    List<WalRecord> later = Decoding.all(WalDecoder.startingAt(wal.start(), Lsn.DEFAULT_SEGMENT_SIZE).skipRecordsBefore(from),
        bytes, wal.start(), wal.start(), wal.end(), () -> 1 << 20);
    assertEquals(summary(decoded.subList(1000, decoded.size())), summary(later));
  }

  private static List<String> summary(List<WalRecord> records) {
    List<String> out = new ArrayList<>(records.size());
    for (WalRecord r : records) out.add(r.lsn() + " " + r.endLsn() + " " + r.totalLength() + " " + r.blocks());
    return out;
  }

  private static String describe(PgWaldump.Line e) {
    return e.lsn() + " prev=" + e.prev() + " " + e.rmgr() + " xid=" + e.xid() + " len=" + e.recLength() + "/" + e.totLength()
        + " blocks=" + e.blocks() + " verification-only=" + e.verificationImages();
  }

  private static String describe(WalRecord r) {
    long verification = r.blocks().stream().filter(b -> b.hasImage() && !b.image().isApplied()).count();
    return r.lsn() + " prev=" + r.prev() + " " + r.rmgrName() + " xid=" + Integer.toUnsignedString(r.xid()) + " len="
        + (r.totalLength() - r.fpiLength()) + "/" + r.totalLength() + " blocks="
        + r.blocks().stream().map(BlockRef::toString).collect(Collectors.toList()) + " verification-only=" + verification;
  }
}
