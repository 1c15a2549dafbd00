package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PglzTest {
  private static boolean decompress(byte[] src, byte[] dst) {
    return Pglz.decompress(ByteBuffer.wrap(src), 0, src.length, dst, 0, dst.length);
  }

  @Test
  void literalsAndAnOverlappingMatchRepeatThePattern() {
    // "11234" as literals, then a match of length 16 at offset 4 (pg_lzcompress.c's own example)
    byte[] src = {0b0010_0000, '1', '1', '2', '3', '4', 0x0D, 0x04};
    byte[] out = new byte[21];
    assertTrue(decompress(src, out));
    assertArrayEquals("112341234123412341234".getBytes(StandardCharsets.US_ASCII), out);
  }

  @Test
  void anExtendedLengthByteAddsToEighteen() {
    // literal 'a', then offset 1 with length nibble 15 (18) plus 100 = 118 more 'a's
    byte[] src = {0b0000_0010, 'a', 0x0F, 0x01, 100};
    byte[] out = new byte[119];
    assertTrue(decompress(src, out));
    for (byte b : out) assertTrue(b == 'a');
  }

  @Test
  void aTwelveBitOffsetReachesFarBack() {
    byte[] expected = new byte[300];
    new Random(1).nextBytes(expected);
    // 256 literals in 32 groups, then copy 3 bytes from 0x100 back: high nibble 1, low byte 0
    java.io.ByteArrayOutputStream src = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 256; i += 8) {
      src.write(0);
      src.write(expected, i, 8);
    }
    src.write(1);
    src.write(0x10);
    src.write(0x00);
    System.arraycopy(expected, 0, expected, 256, 3);
    byte[] out = new byte[259];
    assertTrue(decompress(src.toByteArray(), out));
    assertArrayEquals(java.util.Arrays.copyOf(expected, 259), out);
  }

  @Test
  void corruptInputIsRejected() {
    assertFalse(decompress(new byte[] {0x01, 0x00, 0x00}, new byte[4]), "offset 0");
    assertFalse(decompress(new byte[] {0x02, 'a', 0x00, 0x05}, new byte[4]), "offset before the output start");
    assertFalse(decompress(new byte[] {0x02, 'a', 0x0F}, new byte[40]), "truncated match tag");
    assertFalse(decompress(new byte[] {0x00, 'a', 'b'}, new byte[3]), "output shorter than the page");
    assertFalse(decompress(new byte[] {0x00, 'a', 'b', 'c'}, new byte[2]), "input left over");
  }

  @Test
  void randomInputNeverThrows() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] src = new byte[1 + random.nextInt(200)];
      random.nextBytes(src);
      decompress(src, new byte[1 + random.nextInt(600)]);
    }
  }
}
