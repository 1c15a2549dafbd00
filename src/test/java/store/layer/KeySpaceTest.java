package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.keyspace.Key;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/** Key spaces merge, partition into tiles of the whole key space, and images over partitions change no answer. */
class KeySpaceTest {
  private static final RelTag A = new RelTag(1663, 5, 100, ForkNumber.MAIN), B = new RelTag(1663, 5, 200, ForkNumber.MAIN);
  @TempDir Path dir;

  @Test
  void touchingRangesOfOneRelationMergeAndOthersStayApart() {
    KeySpace ks = KeySpace.of(List.of(new KeyRange(Key.relBlock(A, 10), Key.relBlock(A, 20)), KeyRange.single(Key.relSize(A)),
        new KeyRange(Key.relBlock(A, 0), Key.relBlock(A, 10)), KeyRange.single(Key.dbDir())));
    assertEquals(List.of(KeyRange.single(Key.dbDir()), new KeyRange(Key.relBlock(A, 0), Key.relBlock(A, 20)),
        KeyRange.single(Key.relSize(A))), ks.ranges());
    assertEquals(22, ks.keyCount());
  }

  @Test
  void partitionsTileTheKeySpaceAndCutABigRelation() {
    KeySpace ks = KeySpace.of(List.of(KeyRange.single(Key.dbDir()), new KeyRange(Key.relStart(A), Key.relBlock(A, 100)),
        KeyRange.single(Key.relSize(A)), new KeyRange(Key.relStart(B), Key.relBlock(B, 5)), KeyRange.single(Key.relSize(B))));
    List<KeyRange> parts = ks.partition(40 * 8192L);
    assertEquals(Key.MIN, parts.get(0).start());
    assertEquals(Key.MAX, parts.get(parts.size() - 1).end());
    for (int i = 1; i < parts.size(); i++) assertEquals(parts.get(i - 1).end(), parts.get(i).start(), "no gaps, no overlaps");
    long total = 0;
    for (KeyRange p : parts) {
      long n = 0;
      for (KeyRange r : ks.within(p)) n += KeySpace.count(r);
      assertTrue(n <= 40, p + " holds " + n + " keys");
      total += n;
    }
    assertEquals(ks.keyCount(), total);
    assertEquals(Key.relBlock(A, 39), parts.get(1).start(), "dbDir and blocks 0..38 fill the first partition");
    assertEquals(List.of(new KeyRange(Key.MIN, Key.MAX)), KeySpace.of(List.of()).partition(8192));
  }

  @Test
  void imagesOverPartitionsAnswerLikeTheDeltasAndLetGcRemoveThem() throws IOException {
    Workload w = new Workload(7, 64, 1600, 0x1000);
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    for (int i = 0; i < 1500; i += 100) {
      TimelineLayersTest.ingest(tl, w, i, i + 100);
      tl.freeze();
      tl.flushFrozen();
      tl.compactL0(5);   // three bands of L1 deltas
    }
    assertTrue(tl.layerMap().l0().isEmpty());
    long lsn = tl.diskConsistentLsn();
    KeySpace ks = KeySpace.of(List.of(w.keyRange()));
    List<KeyRange> parts = ks.partition(16 * 8192L);
    assertEquals(4, parts.size(), "64 keys by 16: " + parts);
    List<KeyRange> worth = tl.rangesWorthImaging(parts, lsn, 3);
    assertEquals(parts, worth, "every partition has deltas stacked");
    tl.createImageLayers(lsn, worth, ks, (k, l) -> Workload.materialize(tl.history(k, l)));
    assertEquals(List.of(), tl.rangesWorthImaging(parts, lsn, 1));
    List<LayerInfo> images = new ArrayList<>();
    for (LayerInfo l : tl.layers()) if (l.kind() == LayerKind.IMAGE) images.add(l);
    assertEquals(4, images.size());
    for (int i = 0; i < 1500; i += 7) w.check(tl, w.lsns.get(i));
    w.check(tl, lsn);

    TimelineLayersTest.ingest(tl, w, 1500, 1600);   // an image counts for GC once it is below the cutoff
    tl.freeze();
    tl.flushFrozen();
    long cutoff = tl.diskConsistentLsn();
    long retain = w.lsns.get(700);
    GcResult kept = tl.gc(cutoff, List.of(retain));
    assertEquals(0, kept.removed().size(), "every delta starts at or below the branch point");
    assertTrue(kept.neededByBranches() > 0);
    GcResult gone = tl.gc(cutoff + 1000, List.of());
    assertEquals(22, gone.removed().size(), "the two bands under the images go; the band ending just above them and the L0 stay");
    for (int i = 1500; i < 1600; i += 3) w.check(tl, w.lsns.get(i));
    w.check(tl, lsn);
    assertEquals(cutoff, tl.gcCutoffLsn(), "the cutoff is lowered to disk_consistent_lsn");
    assertEquals(cutoff, TimelineLayers.open(dir, null, TimelineLayersTest.SMALL).gcCutoffLsn());
  }
}
