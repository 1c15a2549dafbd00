package store.redo;

import testkit.PageMasking;
import wire.pgdata.ForkNumber;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.OsUser;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;
import wire.xlog.BlockRef;
import wire.pgdata.RelFileNode;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;

/** What the redo service and its wrapper do with bad input and with a process that dies or hangs. */
@ExtendWith(ProcessLogs.class)
class WalRedoFailureTest {
  private static Path root;
  private static WalRedoProcess redo;
  private static RelFileNode rel;
  /** Heap inserts into block 0 of table f: the first initialises the page. */
  private static RedoRecord init;
  private static RedoRecord second;
  private static RedoRecord third;
  private static RedoRecord commit;
  /** A pglz-compressed full-page image of index g_pkey's metapage. */
  private static RelFileNode index;
  private static RedoRecord compressedImage;
  private static int compressedLength;

  @BeforeAll
  static void produceWalAndStartRedo() throws Exception {
    root = Files.createTempDirectory("strata-redo-fail-");
    OsUser.own(root);
    RedoWorkload.Result source = RedoWorkload.run(List.of(
        "create table f (id int primary key, v text)",
        "insert into f values (1, 'one')",
        "insert into f values (2, 'two')",
        "insert into f values (3, 'three')",
        "set wal_compression = pglz",
        "create table g (id int primary key)",
        "reset wal_compression"), List.of("f", "g_pkey"));
    rel = source.relation("f").node();
    List<WalRecord> inserts = source.wal().stream()
        .filter(r -> r.rmgr() == RmgrId.HEAP && PageHistory.reference(r, rel, ForkNumber.MAIN.ordinal(), 0) != null).toList();
    assertEquals(3, inserts.size(), "heap records on f block 0");
    assertTrue(inserts.get(0).blocks().get(0).willInit(), "the first insert initialises the page");
    init = redoRecord(inserts.get(0));
    second = redoRecord(inserts.get(1));
    third = redoRecord(inserts.get(2));
    commit = redoRecord(source.wal().stream().filter(r -> r.rmgr() == RmgrId.XACT && r.lsn().isAfter(init.start())).findFirst().orElseThrow());
    index = source.relation("g_pkey").node();
    WalRecord fpi = source.wal().stream()
        .filter(r -> r.rmgr() == RmgrId.XLOG && PageHistory.reference(r, index, ForkNumber.MAIN.ordinal(), 0) != null).findFirst().orElseThrow();
    assertTrue(fpi.blocks().get(0).image().isCompressed(), "the metapage image is compressed");
    compressedImage = redoRecord(fpi);
    compressedLength = fpi.blocks().get(0).image().length();
    redo = WalRedoProcess.start(WalRedoSettings.defaults(root.resolve("redo")));
  }

  @AfterAll
  static void stopRedo() {
    if (redo != null) redo.close();
    TempDirs.delete(root);
  }

  @Test
  void aRecordWithABadCrcFailsItsRequestAndTheNextRequestInThePipelineSucceeds() throws Exception {
    byte[] corrupt = second.bytes().clone();
    corrupt[corrupt.length - 1] ^= 0x01;
    List<RedoResult> results = redo.applyAll(List.of(
        request(0, null, init, new RedoRecord(corrupt, second.start(), second.end())),
        request(0, null, init, second)));

    RedoFailed failed = assertInstanceOf(RedoResult.Failed.class, results.get(0)).error();
    assertTrue(failed.reason().contains("bad CRC"), failed.getMessage());
    assertEquals(second.start(), failed.lsn());
    assertEquals(second.end().value(), PageMasking.lsn(results.get(1).pageOrThrow()), "the good request was replayed");
  }

  @Test
  void anErrorRaisedInsideRedoFailsOnlyItsRequest() throws Exception {
    // A corrupt compressed image with a valid CRC: decoding passes, restoring the image raises ERROR.
    // The image is the record's tail (an FPI record has no other data).
    byte[] corrupt = compressedImage.bytes().clone();
    for (int i = corrupt.length - compressedLength; i < corrupt.length; i++) corrupt[i] = (byte) 0xFF;
    resealCrc(corrupt);
    List<RedoResult> results = redo.applyAll(List.of(
        new RedoRequest(index, ForkNumber.MAIN.ordinal(), 0, null, List.of(new RedoRecord(corrupt, compressedImage.start(), compressedImage.end()))),
        new RedoRequest(index, ForkNumber.MAIN.ordinal(), 0, null, List.of(compressedImage))));

    RedoFailed failed = assertInstanceOf(RedoResult.Failed.class, results.get(0)).error();
    assertTrue(failed.reason().contains("could not decompress image"), failed.getMessage());
    assertEquals(compressedImage.end().value(), PageMasking.lsn(results.get(1).pageOrThrow()), "the intact image was restored");
    assertTrue(redo.isUsable());
  }

  @Test
  void aRecordWithoutBlockReferencesIsRefusedAsNotAPageRecord() {
    RedoFailed failed = assertThrows(RedoFailed.class, () -> redo.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init, commit)));
    assertTrue(failed.reason().contains("not a page record"), failed.getMessage());
    assertEquals(commit.start(), failed.lsn());
  }

  @Test
  void aHistoryThatNeitherStartsWithAnImageNorInitialisesThePageNeedsABaseImage() throws Exception {
    RedoFailed failed = assertThrows(RedoFailed.class, () -> redo.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(second)));
    assertTrue(failed.reason().contains("no base image"), failed.getMessage());

    byte[] base = redo.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init));
    byte[] fromBase = redo.apply(rel, ForkNumber.MAIN.ordinal(), 0, base, List.of(second, third));
    byte[] fromScratch = redo.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init, second, third));
    assertArrayEquals(fromScratch, fromBase);
  }

  @Test
  void aRecordThatDoesNotReferenceTheTargetBlockIsRefused() {
    RedoFailed failed = assertThrows(RedoFailed.class, () -> redo.apply(rel, ForkNumber.MAIN.ordinal(), 1, null, List.of(init)));
    assertTrue(failed.reason().contains("does not reference the target"), failed.getMessage());
  }

  @Test
  void aKilledProcessFailsWithATypedErrorAndANewOneOnTheSameDirectoryServes() throws Exception {
    Path dir = root.resolve("killed");
    try (WalRedoProcess victim = WalRedoProcess.start(WalRedoSettings.defaults(dir))) {
      ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
      assertThrows(RedoProcessFailed.class, () -> victim.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init)));
      assertFalse(victim.isUsable());
      assertThrows(RedoProcessFailed.class, () -> victim.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init)), "stays failed");
    }
    try (WalRedoProcess restarted = WalRedoProcess.start(WalRedoSettings.defaults(dir))) {
      assertEquals(init.end().value(), PageMasking.lsn(restarted.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init))));
    }
  }

  @Test
  void aPanicInsideRedoLosesTheProcessWithATypedErrorThatShowsTheLog() throws Exception {
    // An empty page as base, then the third insert: its offset number does not fit, and heap redo PANICs.
    byte[] empty = new byte[PageMasking.PAGE];
    ByteBuffer.wrap(empty).order(ByteOrder.LITTLE_ENDIAN).putShort(12, (short) 24).putShort(14, (short) 8192)
        .putShort(16, (short) 8192).putShort(18, (short) 0x2004);
    try (WalRedoProcess victim = WalRedoProcess.start(WalRedoSettings.defaults(root.resolve("panic")))) {
      RedoProcessFailed failed = assertThrows(RedoProcessFailed.class,
          () -> victim.apply(rel, ForkNumber.MAIN.ordinal(), 0, empty, List.of(third)));
      assertTrue(failed.getMessage().contains("PANIC"), failed.getMessage());
      assertFalse(victim.isUsable());
    }
  }

  @Test
  void aProcessThatStopsAnsweringIsDeclaredHungAndKilled() throws Exception {
    WalRedoSettings settings = WalRedoSettings.defaults(root.resolve("hung")).withTimeout(Duration.ofSeconds(2));
    try (WalRedoProcess victim = WalRedoProcess.start(settings)) {
      long pid = victim.pid();
      assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
      RedoProcessFailed failed = assertThrows(RedoProcessFailed.class,
          () -> victim.apply(rel, ForkNumber.MAIN.ordinal(), 0, null, List.of(init)));
      assertTrue(failed.getMessage().contains("no progress"), failed.getMessage());
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the hung postgres was killed");
    }
  }

  /** Recomputes xl_crc the way PostgreSQL does: the body after the 24-byte header, then the header up to xl_crc. */
  private static void resealCrc(byte[] record) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(record, 24, record.length - 24);
    crc.update(record, 0, 20);
    ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(20, (int) crc.getValue());
  }

  private static RedoRequest request(int blkno, byte[] base, RedoRecord... records) {
    return new RedoRequest(rel, ForkNumber.MAIN.ordinal(), blkno, base, List.of(records));
  }

  private static RedoRecord redoRecord(WalRecord r) {
    return new RedoRecord(r.rawBytes(), r.lsn(), r.endLsn());
  }
}
