package store.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.keyspace.Key;
import wire.keyspace.Value;

/**
 * A run read by {@link KeyRunReader} gives, key by key, what the full search gives: an image only
 * where {@link TimelineLayers#history} is that one image, "absent" only where it is empty. Over a
 * timeline with imported images, deltas on top (images and records), a later image layer, frozen
 * and open in-memory layers, and a branch with its own versions.
 */
class KeyRunReaderTest {
  private static final long IMPORT = 0x100;
  private static final int BLOCKS = 220;
  @TempDir Path dir;

  private static Key key(int block) {
    return TimelineLayersTest.key(block);
  }

  private static byte[] page(int block, long lsn) {
    byte[] p = new byte[8192];
    Arrays.fill(p, (byte) (block * 31 + lsn));
    p[0] = (byte) block;
    p[1] = (byte) (lsn >>> 4);
    return p;
  }

  private static Value image(int block, long lsn) {
    return new Value.Image(page(block, lsn));
  }

  private static void put(TimelineLayers tl, long lsn, int[] imageBlocks, int[] recordBlocks) {
    List<KeyValue> batch = new ArrayList<>();
    for (int b : imageBlocks) batch.add(new KeyValue(key(b), lsn, image(b, lsn)));
    for (int b : recordBlocks) batch.add(new KeyValue(key(b), lsn, TimelineLayersTest.rec(lsn)));
    tl.put(batch);
    tl.advance(lsn, lsn - 8);
  }

  /** The root: imports blocks 0..199 but 50..59, then versions at several LSNs and in every kind of layer. */
  private TimelineLayers root() throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir.resolve("root"), TimelineMetadata.root(IMPORT, 15), null, TimelineLayersTest.SMALL);
    ImportImages images = new ImportImages(dir.resolve("root"), IMPORT, 64 * 1024);
    List<KeyValue> imported = new ArrayList<>();
    for (int b = 0; b < 200; b++) if (b < 50 || b >= 60) imported.add(new KeyValue(key(b), IMPORT, image(b, IMPORT)));
    images.add(imported);
    tl.installImport(IMPORT, images.finish());

    put(tl, 0x200, new int[] {10, 11, 12, 13, 14, 55, 120}, new int[] {20, 21, 22, 23, 24});
    tl.freeze();
    tl.flushFrozen();
    // an image layer over blocks 100..149 at 0x200, then versions above it
    tl.createImageLayers(0x200, List.of(new KeyRange(key(100), key(150))), (k, lsn) -> {
      ValueHistory h = tl.history(k, lsn);
      return h.isEmpty() ? null : ((Value.Image) h.newestFirst().get(0).value()).bytes();
    });
    put(tl, 0x300, new int[] {130}, new int[] {140, 199});
    tl.freeze();
    tl.flushFrozen();
    put(tl, 0x380, new int[] {160, 205}, new int[] {});
    tl.freeze();   // stays frozen in memory
    put(tl, 0x400, new int[] {170}, new int[] {171});   // stays open
    return tl;
  }

  /** What a run gives for one key: the page, ABSENT, or LOOKUP. */
  private static final byte[] ABSENT = new byte[0], LOOKUP = new byte[1];

  private static List<byte[]> run(KeyRunReader r, int from, int to) throws IOException {
    List<byte[]> out = new ArrayList<>();
    r.read(key(from), to - from, new KeyRunReader.Visitor() {
      @Override
      public void image(ByteBuffer page) {
        byte[] b = new byte[page.remaining()];
        page.duplicate().get(b);
        out.add(b);
      }

      @Override
      public void absent() {
        out.add(ABSENT);
      }

      @Override
      public void lookup(Key key) {
        assertEquals(key(from + out.size()), key, "lookups come in key order");
        out.add(LOOKUP);
      }
    });
    assertEquals(to - from, out.size(), "one answer per key");
    return out;
  }

  /** Checks every block at {@code lsn} in runs cut at {@code cuts}; returns how many came from images. */
  private static int checkAgainstHistory(TimelineLayers tl, long lsn, int... cuts) throws IOException {
    KeyRunReader reader = new KeyRunReader(tl, lsn);
    int images = 0;
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : BLOCKS;
      List<byte[]> got = run(reader, from, to);
      for (int b = from; b < to; b++) {
        byte[] g = got.get(b - from);
        ValueHistory h = tl.history(key(b), lsn);
        String at = "block " + b + " at " + LayerName.hex(lsn);
        if (g == LOOKUP) continue;
        if (g == ABSENT) {
          assertTrue(h.isEmpty(), at + " given as absent but has " + h.newestFirst().size() + " versions");
        } else {
          if (!h.isImage()) fail(at + " given from an image but its history is " + h.newestFirst());
          assertArrayEquals(((Value.Image) h.newestFirst().get(0).value()).bytes(), g, at);
          images++;
        }
      }
      from = to;
    }
    return images;
  }

  @Test
  void everyBlockGivenFromAnImageOrAsAbsentIsWhatTheFullSearchFindsAtEveryLsn() throws IOException {
    TimelineLayers tl = root();
    for (long lsn : new long[] {IMPORT, 0x1F8, 0x200, 0x2F8, 0x300, 0x380, 0x400}) {
      checkAgainstHistory(tl, lsn);
      checkAgainstHistory(tl, lsn, 1, 37, 100, 131, 150, 151);
    }
  }

  @Test
  void blocksWithNoNewerVersionComeFromTheImagesAndTheOthersGoToTheFullLookup() throws IOException {
    TimelineLayers tl = root();
    assertEquals(190, checkAgainstHistory(tl, IMPORT), "at the import every imported block is an image read");
    KeyRunReader r = new KeyRunReader(tl, 0x400);
    List<byte[]> got = run(r, 0, BLOCKS);
    for (int b : new int[] {10, 20, 55, 130, 140, 160, 170, 171, 199, 205}) assertTrue(got.get(b) == LOOKUP, "block " + b);
    for (int b : new int[] {0, 9, 15, 19, 25, 100, 121, 129, 131, 150, 169, 172, 198}) assertArrayEquals(page(b, IMPORT), got.get(b), "block " + b);
    assertArrayEquals(page(120, 0x200), got.get(120), "block 120 from the image layer made at 0x200, above its delta");
    for (int b : new int[] {50, 59, 200, 219}) assertTrue(got.get(b) == ABSENT, "block " + b);
  }

  @Test
  void aBranchReadsItsOwnVersionsThroughTheFullLookupAndItsParentsImagesAsOfTheBranchPoint() throws IOException {
    TimelineLayers parent = root();
    TimelineLayers child = TimelineLayers.create(dir.resolve("child"), TimelineMetadata.branch("0123456789abcdef0123456789abcdef",
        0x300, 0x2F8, IMPORT, 15), parent, TimelineLayersTest.SMALL);
    put(child, 0x500, new int[] {5, 135}, new int[] {6});
    child.freeze();
    child.flushFrozen();
    put(child, 0x600, new int[] {7}, new int[] {});
    for (long lsn : new long[] {0x300, 0x500, 0x600}) {
      checkAgainstHistory(child, lsn);
      checkAgainstHistory(child, lsn, 6, 7, 100, 160, 171);
    }
    List<byte[]> got = run(new KeyRunReader(child, 0x600), 0, BLOCKS);
    assertArrayEquals(page(8, IMPORT), got.get(8));
    assertTrue(got.get(160) != LOOKUP && got.get(170) != LOOKUP, "the parent's versions after the branch point are not seen");
    assertArrayEquals(page(160, IMPORT), got.get(160));
  }
}
