package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class WalBufferTest {
  private static final Lsn AT = Lsn.parse("0/2000000");

  private static byte[] bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
    return b;
  }

  @Test
  void readsAcrossChunksAndSkipsResentOverlap() {
    WalBuffer b = new WalBuffer(AT);
    b.append(AT, bytes(0, 10));
    b.append(AT.plus(5), bytes(5, 10));   // 5 bytes resent, 5 new
    assertEquals(AT.plus(15), b.end());
    assertEquals(15, b.size());
    assertArrayEquals(bytes(3, 12), b.read(AT.plus(3), 100));
    assertArrayEquals(bytes(8, 4), b.read(AT.plus(8), 4));
    assertArrayEquals(new byte[0], b.read(b.end(), 4));
  }

  @Test
  void aGapIsRefusedWithBothPositions() {
    WalBuffer b = new WalBuffer(AT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.append(AT.plus(1), bytes(0, 4)));
    assertEquals("WAL at 0/2000001 leaves a gap after the buffer's end 0/2000000", e.getMessage());
  }

  @Test
  void trimmingReleasesWholeAndPartialChunksButNeverMovesBack() {
    WalBuffer b = new WalBuffer(AT);
    b.append(AT, bytes(0, 10));
    b.append(AT.plus(10), bytes(10, 10));
    b.trimTo(AT.plus(13));
    assertEquals(AT.plus(13), b.start());
    assertEquals(7, b.size());
    assertArrayEquals(bytes(13, 7), b.read(AT.plus(13), 100));
    b.trimTo(AT.plus(2));
    assertEquals(AT.plus(13), b.start(), "trimming below the start changes nothing");
    assertThrows(IllegalArgumentException.class, () -> b.read(AT.plus(12), 1));
    b.trimTo(AT.plus(99));
    assertEquals(b.end(), b.start(), "trimming stops at the end");
    assertEquals(0, b.size());
    assertArrayEquals(new byte[0], Arrays.copyOf(b.read(b.end(), 1), 0));
  }
}
