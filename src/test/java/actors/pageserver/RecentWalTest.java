package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecentWalTest {
  private static final long SEG = 1 << 16;

  private static byte[] bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
    return b;
  }

  @Test
  void readsAcrossChunksExactlyWhatWasReceived() {
    RecentWal w = new RecentWal(SEG);
    long base = 3 * SEG;
    w.append(base + 100, bytes(100, 50));
    w.append(base + 150, bytes(150, 70));
    w.append(base + 220, bytes(220, 30));
    assertArrayEquals(bytes(120, 110), w.read(base + 120, base + 230));
    assertArrayEquals(bytes(100, 150), w.read(base + 100, base + 250));
    assertArrayEquals(new byte[0], w.read(base + 160, base + 160));
  }

  @Test
  void bytesNotReceivedAreUnknown() {
    RecentWal w = new RecentWal(SEG);
    assertNull(w.read(0, 1));
    w.append(SEG + 100, bytes(0, 50));
    assertNull(w.read(SEG + 99, SEG + 120));
    assertNull(w.read(SEG + 120, SEG + 151));
  }

  @Test
  void aGapOrANewSegmentStartsOver() {
    RecentWal w = new RecentWal(SEG);
    w.append(SEG + 100, bytes(0, 50));
    w.append(SEG + 200, bytes(7, 10));   // gap: what came before is dropped
    assertNull(w.read(SEG + 100, SEG + 110));
    assertArrayEquals(bytes(7, 10), w.read(SEG + 200, SEG + 210));

    // a chunk that crosses into the next segment keeps only that segment's part
    byte[] across = bytes(0, 40);
    w.append(2 * SEG - 20, across);
    assertNull(w.read(2 * SEG - 20, 2 * SEG));
    assertArrayEquals(Arrays.copyOfRange(across, 20, 40), w.read(2 * SEG, 2 * SEG + 20));
  }
}
