package store.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.xlog.Lsn;

class WalSegmentsTest {
  private static final long SEG = 1 << 20;
  @TempDir Path dir;

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readBack(WalSegments wal, Lsn start, int n) throws IOException {
    ByteBuffer dst = ByteBuffer.allocate(n);
    Lsn at = start;
    while (dst.hasRemaining()) {
      int r = wal.read(at, dst);
      if (r <= 0) break;
      at = at.plus(r);
    }
    return dst.array();
  }

  @Test
  void writesAcrossSegmentsCompletingFullOnesUnderPostgresNames() throws IOException {
    byte[] data = random((int) (SEG * 2 + 1000), 1);
    Lsn start = Lsn.of(SEG - 500);
    try (WalSegments wal = new WalSegments(dir, SEG)) {
      wal.write(start, ByteBuffer.wrap(data));
      wal.flush();
      assertArrayEquals(data, readBack(wal, start, data.length));
      assertEquals(List.of(0L, 1L, 2L, 3L), wal.segmentNumbers());
    }
    assertTrue(Files.exists(dir.resolve("000000010000000000000000")));
    assertTrue(Files.exists(dir.resolve("000000010000000000000001")));
    assertTrue(Files.exists(dir.resolve("000000010000000000000002")));
    assertTrue(Files.exists(dir.resolve("000000010000000000000003.partial")));
    assertEquals(SEG, Files.size(dir.resolve("000000010000000000000003.partial")), "pre-allocated to full size");
  }

  @Test
  void truncationDeletesLaterSegmentsAndZeroesTheTail() throws IOException {
    byte[] data = random((int) (SEG + 4096), 2);
    try (WalSegments wal = new WalSegments(dir, SEG)) {
      wal.write(Lsn.of(0), ByteBuffer.wrap(data));
      Lsn cut = Lsn.of(SEG - 100);
      wal.truncate(cut);
      assertEquals(List.of(0L), wal.segmentNumbers());
      assertTrue(Files.exists(dir.resolve("000000010000000000000000.partial")), "the cut segment is partial again");
      byte[] kept = readBack(wal, Lsn.of(0), (int) SEG);
      for (int i = 0; i < SEG; i++) {
        assertEquals(i < SEG - 100 ? data[i] : 0, kept[i], "byte " + i);
      }
      byte[] more = random(300, 3);
      wal.write(cut, ByteBuffer.wrap(more));
      assertArrayEquals(more, readBack(wal, cut, 300));
    }
  }

  @Test
  void reopeningFindsEitherNameAndRemovalKeepsNewerSegments() throws IOException {
    try (WalSegments wal = new WalSegments(dir, SEG)) {
      wal.write(Lsn.of(0), ByteBuffer.wrap(random((int) (3 * SEG + 10), 4)));
    }
    Files.writeString(dir.resolve("waltmp"), "half-made segment");
    try (WalSegments wal = new WalSegments(dir, SEG)) {
      assertFalse(Files.exists(dir.resolve("waltmp")), "a leftover temp segment is discarded");
      assertEquals(2, wal.removeBelow(2));
      assertEquals(List.of(2L, 3L), wal.segmentNumbers());
      assertEquals(-1, wal.read(Lsn.of(0), ByteBuffer.allocate(10)), "removed segments read as absent");
    }
  }
}
