package store.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import store.DurableFile.CorruptFile;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

class LayerFileTest {
  @TempDir Path dir;

  private static Key key(int block) {
    return Key.relBlock(Workload.REL, block);
  }

  private static Value rec(boolean init, long lsn) {
    return new Value.PgRecord(init, lsn - 8, lsn, new byte[] {(byte) lsn, 1, 2});
  }

  /** Key 5: image at 10, records at 20, 30 (initialising), 40, 50; key 9: one record at 30. */
  private LayerFile sample() throws IOException {
    try (LayerWriter w = LayerWriter.delta(dir, 10, 60)) {
      w.add(new KeyValue(key(5), 10, new Value.Image(new byte[] {7, 7})));
      w.add(new KeyValue(key(5), 20, rec(false, 20)));
      w.add(new KeyValue(key(5), 30, rec(true, 30)));
      w.add(new KeyValue(key(5), 40, rec(false, 40)));
      w.add(new KeyValue(key(5), 50, rec(false, 50)));
      w.add(new KeyValue(key(9), 30, rec(false, 30)));
      return w.finish(new KeyRange(key(0), key(100)));
    }
  }

  private static List<Long> lsns(LayerFile f, Key k, long floor, long cont, boolean expectDone) throws IOException {
    List<ValueHistory.Version> out = new ArrayList<>();
    assertEquals(expectDone, f.collect(k, floor, cont, out), "done flag for " + floor + ".." + cont);
    return out.stream().map(ValueHistory.Version::lsn).toList();
  }

  @Test
  void lookupCollectsNewestFirstInsideTheWindowAndStopsAtWillInit() throws IOException {
    LayerFile f = sample();
    assertEquals(List.of(50L, 40L, 30L), lsns(f, key(5), 0, 1000, true));
    assertEquals(List.of(40L, 30L), lsns(f, key(5), 0, 50, true));
    assertEquals(List.of(50L, 40L), lsns(f, key(5), 35, 51, false));
    assertEquals(List.of(20L, 10L), lsns(f, key(5), 0, 30, true));
    assertEquals(List.of(10L), lsns(f, key(5), 0, 11, true));
    assertEquals(List.of(), lsns(f, key(5), 0, 10, false));
    assertEquals(List.of(), lsns(f, key(5), 51, 1000, false));
    assertEquals(List.of(30L), lsns(f, key(9), 0, 1000, false));
    assertEquals(List.of(), lsns(f, key(6), 0, 1000, false));
    assertEquals(List.of(), lsns(f, key(0), 0, 1000, false));
    assertEquals(List.of(), lsns(f, key(99), 0, 1000, false));
  }

  @Test
  void roundTripsEveryValueKindByteForByte() throws IOException {
    List<KeyValue> kvs = List.of(
        new KeyValue(key(1), 100, new Value.Image(new byte[8192])),
        new KeyValue(key(1), 108, new Value.ClearVmFlags(3, -1, 1)),
        new KeyValue(key(1), 116, new Value.TruncateVm(4, 2)),
        new KeyValue(key(2), 100, new Value.ClogSetCommitted(new int[] {700, 701}, 123456789L)),
        new KeyValue(key(2), 124, new Value.ClogSetAborted(new int[] {702})),
        new KeyValue(key(3), 108, new Value.MultixactOffsetCreate(5, 9)),
        new KeyValue(key(3), 116, new Value.MultixactMembersCreate(9, new int[] {800}, new int[] {2})),
        new KeyValue(key(4), 132, new Value.PgRecord(true, 124, 132, new byte[] {1, 2, 3, 4})));
    LayerFile f;
    try (LayerWriter w = LayerWriter.delta(dir, 100, 140)) {
      for (KeyValue kv : kvs) w.add(kv);
      f = w.finish(new KeyRange(key(1), key(5)));
    }
    f = LayerFile.open(f.path());
    assertEquals(LayerName.delta(new KeyRange(key(1), key(5)), 100, 140), f.name());
    assertEquals(kvs.size(), f.entryCount());
    for (int i = 0; i < kvs.size(); i++) {
      assertEquals(kvs.get(i).key(), f.keyAt(i));
      assertEquals(kvs.get(i).lsn(), f.lsnAt(i));
      assertEquals(kvs.get(i).value().willInit(), f.willInitAt(i));
      assertArrayEquals(ValueFormat.encode(kvs.get(i).value()), ValueFormat.encode(f.valueAt(i)));
    }
    assertEquals(Files.size(f.path()), f.sizeBytes());
  }

  @Test
  void anImageLayerHoldsOneVersionPerKeyAtItsLsn() throws IOException {
    LayerFile f;
    try (LayerWriter w = LayerWriter.image(dir, 0x500)) {
      w.add(key(1), 0x500, ValueFormat.encode(new Value.Image(new byte[] {1})), false);
      w.add(key(3), 0x500, ValueFormat.encode(new Value.Image(new byte[] {3})), true);
      assertThrows(IllegalArgumentException.class, () -> w.add(key(4), 0x501, ValueFormat.encode(new Value.Image(new byte[1])), true));
      f = w.finish(new KeyRange(key(0), key(10)));
    }
    assertEquals(LayerKind.IMAGE, f.name().kind());
    assertTrue(f.willInitAt(0));
    assertEquals(List.of(0x500L), lsns(f, key(3), 0x500, 0x501, true));
    assertEquals(List.of(), lsns(f, key(2), 0x500, 0x501, false));
  }

  @Test
  void largeFilesAreReadThroughOverlappingChunks() throws IOException {
    Workload wl = new Workload(7, 40, 600, 0x2000);
    LayerFile whole;
    try (LayerWriter w = LayerWriter.delta(dir, 0x2000, wl.lastLsn() + 1)) {
      List<KeyValue> all = new ArrayList<>();
      wl.batches.forEach(all::addAll);
      all.sort((a, b) -> a.key().compareTo(b.key()) != 0 ? a.key().compareTo(b.key()) : Long.compare(a.lsn(), b.lsn()));
      for (KeyValue kv : all) w.add(kv);
      whole = w.finish(wl.keyRange());
    }
    LayerFile chunked = LayerFile.open(whole.path(), 0, 256);   // many 256-byte chunks
    for (Key k : wl.keys) {
      for (long lsn : new long[] {0x2100, 0x2400, wl.lastLsn()}) {
        List<ValueHistory.Version> a = new ArrayList<>(), b = new ArrayList<>();
        assertEquals(whole.collect(k, 0, lsn + 1, a), chunked.collect(k, 0, lsn + 1, b));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(ValueFormat.encode(a.get(i).value()), ValueFormat.encode(b.get(i).value()));
      }
    }
  }

  @Test
  void theWriterRefusesUnsortedVersionsAndLsnsOutsideItsRange() throws IOException {
    try (LayerWriter w = LayerWriter.delta(dir, 10, 20)) {
      w.add(new KeyValue(key(2), 12, rec(true, 12)));
      assertThrows(IllegalArgumentException.class, () -> w.add(new KeyValue(key(2), 12, rec(true, 12))));
      assertThrows(IllegalArgumentException.class, () -> w.add(new KeyValue(key(1), 15, rec(true, 15))));
      assertThrows(IllegalArgumentException.class, () -> w.add(new KeyValue(key(3), 20, rec(true, 20))));
      assertThrows(IllegalArgumentException.class, () -> w.add(new KeyValue(key(3), 9, rec(true, 9))));
      assertThrows(IllegalArgumentException.class, () -> w.finish(new KeyRange(key(3), key(4))));
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "an unfinished writer leaves nothing behind");
    }
  }

  @Test
  void everyFlippedHeaderOrIndexByteFailsTheOpenNamingTheFile() throws IOException {
    LayerFile f = sample();
    byte[] good = Files.readAllBytes(f.path());
    int indexStart = good.length - 4 - f.entryCount() * LayerFormat.ENTRY_SIZE;
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < LayerFormat.HEADER_SIZE; i++) positions.add(i);
    for (int i = indexStart; i < good.length; i++) positions.add(i);
    for (int pos : positions) {
      byte[] bad = good.clone();
      bad[pos] ^= 0x10;
      Files.write(f.path(), bad);
      var e = assertThrows(CorruptFile.class, () -> LayerFile.open(f.path()), "byte " + pos);
      assertTrue(e.getMessage().contains(f.path().toString()), e.getMessage());
    }
    Files.write(f.path(), good);
    assertEquals(6, LayerFile.open(f.path()).entryCount());
  }

  @Test
  void aFlippedValueByteFailsTheReadOfThatValueNamingFileAndKey() throws IOException {
    LayerFile f = sample();
    byte[] bad = Files.readAllBytes(f.path());
    bad[LayerFormat.HEADER_SIZE + 1] ^= 0x01;   // inside the first value: key 5 at LSN 10
    Files.write(f.path(), bad);
    LayerFile opened = LayerFile.open(f.path());
    assertEquals(List.of(50L, 40L, 30L), lsns(opened, key(5), 0, 1000, true));
    var e = assertThrows(CorruptFile.class, () -> opened.collect(key(5), 0, 11, new ArrayList<>()));
    assertTrue(e.getMessage().contains(f.path().toString()) && e.getMessage().contains("CRC"), e.getMessage());
    assertTrue(e.getMessage().contains(key(5).toHex()), e.getMessage());
  }

  @Test
  void truncatedOrRenamedFilesAreCorrupt() throws IOException {
    LayerFile f = sample();
    byte[] good = Files.readAllBytes(f.path());
    for (int len : new int[] {0, 10, LayerFormat.HEADER_SIZE, LayerFormat.HEADER_SIZE + 5, good.length - 40, good.length - 1}) {
      Files.write(f.path(), Arrays.copyOf(good, len));
      var e = assertThrows(CorruptFile.class, () -> LayerFile.open(f.path()), "length " + len);
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
    Files.write(f.path(), good);
    Path other = dir.resolve(LayerName.delta(KeyRange.FULL, 10, 60).toString());
    Files.move(f.path(), other);
    var e = assertThrows(CorruptFile.class, () -> LayerFile.open(other));
    assertTrue(e.getMessage().contains("header describes"), e.getMessage());
    assertFalse(Files.exists(f.path()));
  }
}
