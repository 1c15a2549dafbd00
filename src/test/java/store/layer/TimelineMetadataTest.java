package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import store.DurableFile.CorruptFile;

class TimelineMetadataTest {
  @TempDir Path dir;

  @Test
  void roundTripsWithAndWithoutAncestor() throws IOException {
    String l0 = LayerName.delta(KeyRange.FULL, 0x100, 0x200).toString();
    TimelineMetadata branch = new TimelineMetadata(0x1FF, 0x1E0, "0123456789abcdef0123456789abcdef", 0x150, 0x120, 0x28, 15, List.of(l0));
    branch.persist(dir);
    assertEquals(branch, TimelineMetadata.load(dir));

    TimelineMetadata root = TimelineMetadata.root(0x16B3748, 15);
    root.persist(dir);
    assertEquals(root, TimelineMetadata.load(dir));
  }

  @Test
  void aDamagedFileIsCorruptAndNamed() throws IOException {
    TimelineMetadata.root(0x28, 15).persist(dir);
    Path f = dir.resolve(TimelineMetadata.FILE_NAME);
    byte[] b = Files.readAllBytes(f);
    b[14] ^= 1;
    Files.write(f, b);
    var e = assertThrows(CorruptFile.class, () -> TimelineMetadata.load(dir));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void refusesNamesThatAreNotLayersAndBadAncestorIds() {
    assertThrows(IllegalArgumentException.class, () -> TimelineMetadata.root(1, 15).withLayers(List.of("metadata")));
    assertThrows(IllegalArgumentException.class, () -> TimelineMetadata.branch("XYZ", 1, 0, 1, 15));
  }
}
