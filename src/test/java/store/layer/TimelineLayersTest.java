package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import store.DurableFile.CorruptFile;
import wire.keyspace.Key;
import wire.keyspace.Value;

class TimelineLayersTest {
  static final LayerSettings SMALL = new LayerSettings(1 << 20, Duration.ofMinutes(10), 4096, 3);
  static final long INITDB = 0x100;
  static final String PARENT_ID = "0123456789abcdef0123456789abcdef";
  @TempDir Path dir;

  static Key key(int block) {
    return Key.relBlock(Workload.REL, block);
  }

  static Value rec(long lsn) {
    return new Value.PgRecord(false, lsn - 8, lsn, new byte[] {(byte) lsn});
  }

  static Value image(int b) {
    return new Value.Image(new byte[] {(byte) b});
  }

  /** A root timeline whose keys 0..n-1 were imported as images at INITDB. */
  static TimelineLayers imported(Path dir, int n) throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(INITDB, 15), null, SMALL);
    List<KeyValue> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) batch.add(new KeyValue(key(i), INITDB, image(i)));
    tl.put(batch);
    tl.advance(INITDB, 0);
    tl.freeze();
    tl.flushFrozen();
    return tl;
  }

  static void putAndAdvance(TimelineLayers tl, Key k, long lsn, Value v) {
    tl.put(List.of(new KeyValue(k, lsn, v)));
    tl.advance(lsn, lsn - 8);
  }

  static List<Long> lsns(ValueHistory h) {
    return h.newestFirst().stream().map(ValueHistory.Version::lsn).toList();
  }

  @Test
  void anImportIsFlushedAsOneImageLayerAndMakesDiskConsistentAtInitdb() throws IOException {
    TimelineLayers tl = imported(dir, 4);
    assertEquals(1, tl.layers().size());
    assertEquals(LayerKind.IMAGE, tl.layers().get(0).kind());
    assertEquals(KeyRange.FULL, tl.layers().get(0).keyRange());
    assertEquals(INITDB, tl.diskConsistentLsn());
    assertEquals(INITDB, TimelineMetadata.load(dir).diskConsistentLsn());
    assertEquals(List.of(INITDB), lsns(tl.history(key(2), INITDB)));
    ValueHistory absent = tl.history(key(9), 0x500);
    assertTrue(absent.isEmpty() && absent.complete());
  }

  @Test
  void historyRunsThroughOpenFrozenL0L1AndImageNewestFirst() throws IOException {
    TimelineLayers tl = imported(dir, 4);
    long lsn = INITDB;
    for (int l0 = 0; l0 < 3; l0++) {
      for (int i = 0; i < 3; i++) putAndAdvance(tl, key(1), lsn += 8, rec(lsn));
      tl.freeze();
      tl.flushFrozen();
    }
    assertEquals(3, tl.layerMap().l0().size());
    tl.compactL0(3);
    assertEquals(0, tl.layerMap().l0().size());
    putAndAdvance(tl, key(1), lsn += 8, rec(lsn));
    tl.freeze();   // frozen, not flushed
    putAndAdvance(tl, key(1), lsn += 8, rec(lsn));   // open
    assertEquals(1, tl.layerMap().frozen().size());

    ValueHistory h = tl.history(key(1), lsn);
    List<Long> want = new ArrayList<>();
    for (long l = lsn; l > INITDB; l -= 8) want.add(l);
    want.add(INITDB);
    assertEquals(want, lsns(h));
    assertTrue(h.complete());
    assertTrue(h.newestFirst().get(h.newestFirst().size() - 1).value() instanceof Value.Image);
    // an older LSN sees only what existed then
    assertEquals(List.of(INITDB + 16, INITDB + 8, INITDB), lsns(tl.history(key(1), INITDB + 16)));
    // a key of the import that never changed answers from the image
    assertEquals(List.of(INITDB), lsns(tl.history(key(3), lsn)));
  }

  @Test
  void valuesBecomeVisibleOnlyWhenTheLastRecordLsnPassesThem() throws IOException {
    TimelineLayers tl = imported(dir, 2);
    tl.put(List.of(new KeyValue(key(0), 0x108, rec(0x108))));
    assertEquals(List.of(INITDB), lsns(tl.history(key(0), 0x200)));
    tl.advance(0x108, INITDB);
    assertEquals(List.of(0x108L, INITDB), lsns(tl.history(key(0), 0x200)));
    assertThrows(IllegalArgumentException.class, () -> tl.put(List.of(new KeyValue(key(1), 0x108, rec(0x108)))),
        "a value at or below the last record LSN");
    assertThrows(IllegalArgumentException.class, () -> tl.advance(0x100, 0));
  }

  @Test
  void aRecordWithoutAnythingOlderIsAnIncompleteHistory() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(INITDB, 15), null, SMALL);
    putAndAdvance(tl, key(0), 0x108, rec(0x108));
    ValueHistory h = tl.history(key(0), 0x108);
    assertEquals(List.of(0x108L), lsns(h));
    assertFalse(h.complete());
  }

  @Test
  void aBranchReadsItsParentAsOfTheBranchPointAndOnlyThere() throws IOException {
    TimelineLayers parent = imported(dir.resolve("parent"), 4);
    putAndAdvance(parent, key(0), 0x108, rec(0x108));
    putAndAdvance(parent, key(0), 0x110, rec(0x110));
    putAndAdvance(parent, key(0), 0x118, rec(0x118));   // after the branch point
    TimelineLayers child = TimelineLayers.create(dir.resolve("child"),
        TimelineMetadata.branch(PARENT_ID, 0x110, 0x108, INITDB, 15), parent, SMALL);
    assertEquals(0x110, child.lastRecordLsn());
    assertEquals(0x108, child.prevRecordLsn());
    putAndAdvance(child, key(0), 0x120, rec(0x120));
    putAndAdvance(child, key(1), 0x128, image(11));

    for (int round = 0; round < 2; round++) {
      assertEquals(List.of(0x120L, 0x110L, 0x108L, INITDB), lsns(child.history(key(0), 0x130)));
      assertEquals(List.of(0x110L, 0x108L, INITDB), lsns(child.history(key(0), 0x118)));
      assertEquals(List.of(0x128L), lsns(child.history(key(1), 0x130)));
      assertEquals(List.of(INITDB), lsns(child.history(key(1), 0x120)));
      assertEquals(List.of(0x118L, 0x110L, 0x108L, INITDB), lsns(parent.history(key(0), 0x130)));
      // the same answers once everything is on disk
      for (TimelineLayers t : List.of(parent, child)) {
        t.freeze();
        t.flushFrozen();
      }
    }
    assertEquals(0x128, child.diskConsistentLsn());

    // an image in the child that lacks key 2 says key 2 is gone there; the parent is not asked
    child.createImageLayers(0x128, List.of(new KeyRange(key(2), key(3))), (k, l) -> null);
    assertTrue(child.history(key(2), 0x130).isEmpty());
    assertEquals(List.of(INITDB), lsns(child.history(key(2), 0x120)), "below the image the parent still answers");
    assertEquals(List.of(INITDB), lsns(parent.history(key(2), 0x130)));
  }

  @Test
  void aBranchNeedsItsAncestorAndOnlyThen() throws IOException {
    TimelineLayers parent = imported(dir.resolve("parent"), 1);
    assertThrows(IllegalArgumentException.class, () -> TimelineLayers.create(dir.resolve("c1"),
        TimelineMetadata.branch(PARENT_ID, 0x100, 0, INITDB, 15), null, SMALL));
    assertThrows(IllegalArgumentException.class, () -> TimelineLayers.create(dir.resolve("c2"),
        TimelineMetadata.root(INITDB, 15), parent, SMALL));
  }

  @Test
  void freezeIsDueBySizeByWalDistanceOrByTimeout() throws IOException {
    TimelineLayers bySize = TimelineLayers.create(dir.resolve("a"), TimelineMetadata.root(INITDB, 15), null,
        new LayerSettings(4096, Duration.ofMinutes(10), 4096, 3));
    assertFalse(bySize.shouldFreeze());
    bySize.put(List.of(new KeyValue(key(0), 0x108, new Value.Image(new byte[5000]))));
    bySize.advance(0x108, 0x100);
    assertTrue(bySize.shouldFreeze());

    TimelineLayers byWal = TimelineLayers.create(dir.resolve("b"), TimelineMetadata.root(INITDB, 15), null,
        new LayerSettings(4096, Duration.ofMinutes(10), 4096, 3));
    byWal.advance(0x800, 0x7F0);
    assertFalse(byWal.shouldFreeze());
    byWal.advance(0x1000, 0xFF0);
    assertTrue(byWal.shouldFreeze());

    TimelineLayers byTime = TimelineLayers.create(dir.resolve("c"), TimelineMetadata.root(INITDB, 15), null,
        new LayerSettings(1 << 20, Duration.ZERO, 4096, 3));
    assertFalse(byTime.shouldFreeze());
    putAndAdvance(byTime, key(0), 0x108, image(1));
    assertTrue(byTime.shouldFreeze());
    byTime.freeze();
    assertFalse(byTime.shouldFreeze());
  }

  @Test
  void aFlushIsDurableBeforeItIsReportedAndAnEmptyLayerOnlyAdvancesTheLsn() throws IOException {
    TimelineLayers tl = imported(dir, 2);
    putAndAdvance(tl, key(0), 0x108, rec(0x108));
    tl.advance(0x140, 0x138);
    tl.freeze();
    assertEquals(INITDB, tl.diskConsistentLsn());
    tl.flushFrozen();
    assertEquals(0x140, tl.diskConsistentLsn());
    TimelineMetadata md = TimelineMetadata.load(dir);
    assertEquals(0x140, md.diskConsistentLsn());
    assertEquals(0x138, md.prevRecordLsn());
    assertEquals(tl.layers().stream().map(LayerInfo::name).toList(), md.layers());
    assertEquals(LayerName.delta(KeyRange.FULL, 0x101, 0x141).toString(), md.layers().get(1));

    tl.advance(0x180, 0x178);   // WAL without data for these keys
    tl.freeze();
    tl.flushFrozen();
    assertEquals(0x180, tl.diskConsistentLsn());
    assertEquals(2, tl.layers().size(), "nothing to write, only the LSN moves");
  }

  @Test
  void reopeningDeletesUnlistedFilesAndReadsTheSame() throws IOException {
    Workload w = new Workload(3, 20, 120, INITDB);
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(INITDB, 15), null, SMALL);
    ingest(tl, w, 0, 60);
    tl.freeze();
    tl.flushFrozen();
    // a crash: a layer written but never listed, a torn temp file
    try (LayerWriter lw = LayerWriter.delta(dir, 0x5000, 0x6000)) {
      lw.add(new KeyValue(key(0), 0x5000, image(1)));
      lw.finish(KeyRange.FULL);
    }
    Files.write(dir.resolve("abc" + LayerWriter.TEMP_SUFFIX), new byte[] {1, 2});
    Path notOurs = Files.writeString(dir.resolve("notes.txt"), "kept");

    TimelineLayers again = TimelineLayers.open(dir, null, SMALL);
    try (var files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      List<String> want = new ArrayList<>(again.metadata().layers());
      want.add(TimelineMetadata.FILE_NAME);
      want.add(notOurs.getFileName().toString());
      assertEquals(want.stream().sorted().toList(), names);
    }
    assertEquals(tl.diskConsistentLsn(), again.lastRecordLsn());
    assertEquals(tl.prevRecordLsn(), again.prevRecordLsn());
    for (long lsn : w.lsns.subList(0, 60)) w.check(again, lsn);
    ingest(again, w, 60, 120);   // ingest resumes after disk_consistent_lsn
    w.check(again, w.lastLsn());
  }

  @Test
  void aListedFileThatIsMissingOrDamagedFailsTheOpenNamingIt() throws IOException {
    TimelineLayers tl = imported(dir, 2);
    putAndAdvance(tl, key(0), 0x108, rec(0x108));
    tl.freeze();
    tl.flushFrozen();
    Path l0 = dir.resolve(tl.metadata().layers().get(1));
    byte[] good = Files.readAllBytes(l0);
    byte[] bad = good.clone();
    bad[bad.length - 2] ^= 1;   // the index CRC
    Files.write(l0, bad);
    var corrupt = assertThrows(CorruptFile.class, () -> TimelineLayers.open(dir, null, SMALL));
    assertTrue(corrupt.getMessage().contains(l0.toString()), corrupt.getMessage());
    Files.delete(l0);
    var missing = assertThrows(NoSuchFileException.class, () -> TimelineLayers.open(dir, null, SMALL));
    assertTrue(missing.getMessage().contains(l0.toString()), missing.getMessage());
  }

  static void ingest(TimelineLayers tl, Workload w, int from, int to) {
    for (int i = from; i < to; i++) {
      tl.put(w.batches.get(i));
      tl.advance(w.lsns.get(i), w.lsns.get(i) - 8);
    }
  }
}
