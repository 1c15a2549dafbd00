package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.keyspace.Key;

/**
 * Compaction, image creation and GC change which files hold the data, never an answer: a random
 * workload is read back at many LSNs after each step and compared with its model.
 */
class LayerMaintenanceTest {
  private static final int KEYS = 64, CHUNK = 100, L0_PER_ROUND = 5;
  @TempDir Path dir;

  private final Workload w = new Workload(42, KEYS, 6 * L0_PER_ROUND * CHUNK, 0x1000);
  private int ingested;

  private void round(TimelineLayers tl) throws IOException {
    for (int i = 0; i < L0_PER_ROUND; i++) {
      TimelineLayersTest.ingest(tl, w, ingested, ingested + CHUNK);
      ingested += CHUNK;
      tl.freeze();
      tl.flushFrozen();
    }
  }

  private void checkFrom(TimelineLayers tl, long fromLsn) throws IOException {
    for (int i = 0; i < ingested; i += 17) {
      if (w.lsns.get(i) >= fromLsn) w.check(tl, w.lsns.get(i));
    }
    w.check(tl, w.lsns.get(ingested - 1));
  }

  private static Materializer from(TimelineLayers tl) {
    return (k, lsn) -> Workload.materialize(tl.history(k, lsn));
  }

  private List<KeyRange> quarters() {
    List<KeyRange> out = new ArrayList<>();
    for (int q = 0; q < 4; q++) out.add(new KeyRange(w.keys.get(q * KEYS / 4), q == 3 ? w.keys.get(KEYS - 1).next() : w.keys.get((q + 1) * KEYS / 4)));
    return out;
  }

  @Test
  void compactionImagesAndGcLeaveEveryAnswerUnchanged() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    List<Long> bandEnds = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      round(tl);
      assertEquals(L0_PER_ROUND, tl.layerMap().l0().size());
      checkFrom(tl, 0);
      tl.compactL0(L0_PER_ROUND + 1);
      assertEquals(L0_PER_ROUND, tl.layerMap().l0().size(), "below the threshold nothing happens");
      tl.compactL0(L0_PER_ROUND);
      assertEquals(0, tl.layerMap().l0().size());
      bandEnds.add(tl.diskConsistentLsn() + 1);
      checkFrom(tl, 0);
    }
    long l1s = tl.layers().stream().filter(l -> l.kind() == LayerKind.DELTA).count();
    assertTrue(l1s > 4 * 2, "the 4 KiB target cuts each round into several L1s: " + l1s);
    for (LayerInfo l : tl.layers()) assertFalse(l.keyRange().equals(KeyRange.FULL), "an L1 is not full-range: " + l.name());

    // four bands of deltas over every quarter: images are worth it, then no longer
    long imageLsn = tl.diskConsistentLsn();
    assertEquals(quarters(), tl.rangesWorthImaging(quarters(), imageLsn));
    tl.createImageLayers(imageLsn, quarters(), from(tl));
    assertEquals(List.of(), tl.rangesWorthImaging(quarters(), imageLsn));
    assertEquals(4, tl.layers().stream().filter(l -> l.kind() == LayerKind.IMAGE).count());
    checkFrom(tl, 0);

    round(tl);
    tl.compactL0(L0_PER_ROUND);
    round(tl);
    checkFrom(tl, 0);
    TimelineLayers reopened = TimelineLayers.open(dir, null, TimelineLayersTest.SMALL);
    checkFrom(reopened, 0);

    // GC: a branch point inside band 1 keeps bands 0 and 1; without it bands 0..2 go (band 3 ends above the image)
    long cutoff = bandEnds.get(3) + 8 * CHUNK;
    long retain = w.lsns.get(L0_PER_ROUND * CHUNK + 50);
    long sizeBefore = tl.physicalSize();
    GcResult kept = tl.gc(cutoff, List.of(retain));
    checkFrom(tl, cutoff);
    w.check(tl, retain);
    for (String name : kept.removed()) {
      LayerName n = LayerName.parse(name);
      assertTrue(n.lsnStart() > retain && n.lsnEnd() <= imageLsn, name);
      assertFalse(Files.exists(dir.resolve(name)));
    }
    assertTrue(kept.removed().size() > 0, "band 2 is removable");
    GcResult all = tl.gc(cutoff, List.of());
    assertTrue(all.removed().size() > 0, "bands 0 and 1 are removable without the branch point");
    for (String name : all.removed()) assertTrue(LayerName.parse(name).lsnEnd() <= bandEnds.get(1), name);
    checkFrom(tl, cutoff);
    assertEquals(sizeBefore - kept.bytesRemoved() - all.bytesRemoved(), tl.physicalSize());
    assertEquals(cutoff, TimelineMetadata.load(dir).latestGcCutoffLsn());
    assertEquals(tl.metadata().layers(), TimelineMetadata.load(dir).layers());
    checkFrom(TimelineLayers.open(dir, null, TimelineLayersTest.SMALL), cutoff);
  }

  @Test
  void anImageInsideADeltasLsnRangeAnswersFromItsLsnUp() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    round(tl);
    tl.compactL0(L0_PER_ROUND);
    long mid = w.lsns.get(ingested / 2);
    tl.createImageLayers(mid, List.of(w.keyRange()), from(tl));
    round(tl);
    for (int i = 0; i < ingested; i++) w.check(tl, w.lsns.get(i));
    for (Key k : w.keys) {
      ValueHistory h = tl.history(k, mid);
      if (!h.isEmpty()) assertEquals(List.of(mid), TimelineLayersTest.lsns(h), "at its LSN the image answers alone");
      ValueHistory above = tl.history(k, mid + 8 * 20);
      if (!above.isEmpty()) {
        long oldest = above.newestFirst().get(above.newestFirst().size() - 1).lsn();
        assertTrue(oldest >= mid, "a read above the image goes no deeper than it: " + TimelineLayersTest.lsns(above));
      }
    }
    assertEquals(List.of(), tl.gc(tl.diskConsistentLsn(), List.of()).removed(), "the band ends above the image: nothing covers it");
  }

  @Test
  void aCrashAroundCompactionLeavesTheOldLayersInCharge() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    round(tl);
    List<String> before = tl.metadata().layers();
    // outputs written, metadata not: the outputs are garbage
    List<LayerFile> outputs = L0Compaction.merge(dir, tl.layerMap().l0(), 4096);
    assertTrue(outputs.size() > 1);
    TimelineLayers reopened = TimelineLayers.open(dir, null, TimelineLayersTest.SMALL);
    for (LayerFile f : outputs) assertFalse(Files.exists(f.path()));
    assertEquals(before, reopened.metadata().layers());
    checkFrom(reopened, 0);

    // metadata written, inputs not yet unlinked: the inputs are garbage
    Path saved = dir.resolve("saved");
    Files.createDirectories(saved);
    for (String n : before) Files.copy(dir.resolve(n), saved.resolve(n));
    reopened.compactL0(L0_PER_ROUND);
    for (String n : before) Files.copy(saved.resolve(n), dir.resolve(n));
    TimelineLayers afterCrash = TimelineLayers.open(dir, null, TimelineLayersTest.SMALL);
    for (String n : before) assertFalse(Files.exists(dir.resolve(n)), n);
    checkFrom(afterCrash, 0);
  }

  @Test
  void imagesSkipKeysThatDoNotExistAndSplitAtTheTargetSize() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    TimelineLayersTest.ingest(tl, w, 0, 40);   // only some keys exist yet
    ingested = 40;
    tl.freeze();
    tl.flushFrozen();
    long lsn = tl.diskConsistentLsn();
    Materializer big = (k, l) -> {
      byte[] v = Workload.materialize(tl.history(k, l));
      return v == null ? null : java.util.Arrays.copyOf(v, 1500);   // three fill a 4 KiB image
    };
    tl.createImageLayers(lsn, List.of(w.keyRange()), big);
    List<LayerInfo> images = tl.layers().stream().filter(l -> l.kind() == LayerKind.IMAGE).toList();
    int existing = 0;
    for (Key k : w.keys) existing += w.expected(k, lsn) == null ? 0 : 1;
    assertTrue(existing < KEYS && existing > 3);
    assertEquals((existing + 2) / 3, images.size(), images.toString());
    assertEquals(w.keyRange().start(), images.get(0).keyRange().start());
    for (Key k : w.keys) {
      ValueHistory h = tl.history(k, lsn);
      assertEquals(w.expected(k, lsn) == null, h.isEmpty(), k.toString());
      if (!h.isEmpty()) assertEquals(List.of(lsn), TimelineLayersTest.lsns(h), "the image answers alone");
    }
  }
}
