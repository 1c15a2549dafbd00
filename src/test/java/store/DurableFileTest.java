package store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
  private static final int MAGIC = 0x5354524B;
  @TempDir Path dir;

  @Test
  void roundTripsAndReplacesAtomically() throws IOException {
    Path f = dir.resolve("state");
    DurableFile.write(f, MAGIC, 1, "one".getBytes(StandardCharsets.UTF_8));
    DurableFile.write(f, MAGIC, 1, "two".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), DurableFile.read(f, MAGIC, 1));
    assertTrue(Files.notExists(dir.resolve("state.tmp")));
  }

  @Test
  void aCrashBeforeTheRenameKeepsTheOldContent() throws IOException {
    Path f = dir.resolve("state");
    DurableFile.write(f, MAGIC, 1, "old".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("state.tmp"), new byte[] {1, 2, 3});   // a torn temp write
    assertArrayEquals("old".getBytes(StandardCharsets.UTF_8), DurableFile.read(f, MAGIC, 1));
  }

  @Test
  void everySingleBitFlipAndTruncationIsDetectedAndNamed() throws IOException {
    Path f = dir.resolve("state");
    DurableFile.write(f, MAGIC, 1, "payload bytes".getBytes(StandardCharsets.UTF_8));
    byte[] good = Files.readAllBytes(f);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(f, bad);
      var e = assertThrows(DurableFile.CorruptFile.class, () -> DurableFile.read(f, MAGIC, 1), "bit " + bit);
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
    for (int len = 0; len < good.length; len++) {
      Files.write(f, java.util.Arrays.copyOf(good, len));
      assertThrows(DurableFile.CorruptFile.class, () -> DurableFile.read(f, MAGIC, 1), "length " + len);
    }
  }

  @Test
  void anotherVersionIsRefusedByName() throws IOException {
    Path f = dir.resolve("state");
    DurableFile.write(f, MAGIC, 7, new byte[0]);
    var e = assertThrows(DurableFile.CorruptFile.class, () -> DurableFile.read(f, MAGIC, 1));
    assertTrue(e.getMessage().contains("version 7"), e.getMessage());
  }
}
