package store.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.keyspace.Key;
import wire.keyspace.Value;

class ImportImagesTest {
  private static final long LSN = 0x100;

  private static byte[] page(int block) {
    byte[] p = new byte[8192];
    java.util.Arrays.fill(p, (byte) block);
    return p;
  }

  private static KeyValue image(int block) {
    return new KeyValue(TimelineLayersTest.key(block), LSN, new Value.Image(page(block)));
  }

  @Test
  void interleavedBatchesBecomeImageLayersCoveringTheKeySpaceAndTheTimelineReadsThem(@TempDir Path dir) throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(LSN, 15), null, TimelineLayersTest.SMALL);
    ImportImages images = new ImportImages(dir, LSN, 64 * 1024);   // about 8 pages per layer
    List<KeyValue> evens = new ArrayList<>(), odds = new ArrayList<>();
    for (int b = 99; b >= 0; b--) (b % 2 == 0 ? evens : odds).add(image(b));
    images.add(evens);
    images.add(odds);
    List<LayerFile> layers = images.finish();

    assertTrue(layers.size() >= 10, "cut at the target size: " + layers.size());
    assertEquals(Key.MIN, layers.get(0).name().keys().start());
    assertEquals(Key.MAX, layers.get(layers.size() - 1).name().keys().end());
    for (int i = 1; i < layers.size(); i++) assertEquals(layers.get(i - 1).name().keys().end(), layers.get(i).name().keys().start());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(0, left.filter(p -> p.toString().endsWith(LayerWriter.TEMP_SUFFIX)).count(), "runs removed");
    }

    tl.installImport(LSN, layers);
    assertEquals(LSN, tl.diskConsistentLsn());
    assertEquals(LSN, tl.lastRecordLsn());
    for (int b = 0; b < 100; b++) {
      ValueHistory h = tl.history(TimelineLayersTest.key(b), LSN);
      assertTrue(h.isImage(), "block " + b);
      assertArrayEquals(page(b), ((Value.Image) h.newestFirst().get(0).value()).bytes(), "block " + b);
    }
    assertTrue(tl.history(TimelineLayersTest.key(100), LSN).isEmpty(), "a key the import did not have does not exist");

    TimelineLayers reopened = TimelineLayers.open(dir, null, TimelineLayersTest.SMALL);
    assertArrayEquals(page(42), ((Value.Image) reopened.history(TimelineLayersTest.key(42), LSN).newestFirst().get(0).value()).bytes());
  }

  @Test
  void aKeyImportedTwiceOrAValueAtAnotherLsnIsRefused(@TempDir Path dir) throws IOException {
    ImportImages twice = new ImportImages(dir, LSN, 1 << 20);
    twice.add(List.of(image(1)));
    twice.add(List.of(image(1)));
    assertTrue(assertThrows(IOException.class, twice::finish).getMessage().contains("imported twice"));

    ImportImages other = new ImportImages(dir, LSN, 1 << 20);
    KeyValue later = new KeyValue(TimelineLayersTest.key(1), LSN + 8, new Value.Image(page(1)));
    assertThrows(IllegalArgumentException.class, () -> other.add(List.of(later)));
  }

  @Test
  void anImportIntoATimelineThatHoldsDataIsRefused(@TempDir Path dir) throws IOException {
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(LSN, 15), null, TimelineLayersTest.SMALL);
    tl.put(List.of(image(1)));
    ImportImages images = new ImportImages(dir, LSN, 1 << 20);
    images.add(List.of(image(2)));
    List<LayerFile> layers = images.finish();
    assertThrows(IllegalStateException.class, () -> tl.installImport(LSN, layers));
  }
}
