package wire.xlog;

import java.nio.ByteBuffer;

/**
 * PostgreSQL's pglz decompressor, written from the format: a control byte announces the next
 * eight items, low bit first. A clear bit is one literal byte. A set bit is a back-reference of two
 * bytes: the low nibble of the first is length-3, its high nibble and the second byte are a 12-bit
 * offset; length nibble 15 adds a third byte to the length (18..273). A reference may overlap the
 * bytes it produces, which repeats a short pattern.
 */
public final class Pglz {
  private Pglz() {}

  /**
   * Decompresses {@code src[srcOffset, srcOffset+srcLength)} into exactly {@code rawSize} bytes at
   * {@code dst[dstOffset]}. Returns false when the input is corrupt or does not yield exactly
   * rawSize bytes while using up all input (PostgreSQL's check_complete rule).
   */
  public static boolean decompress(ByteBuffer src, int srcOffset, int srcLength, byte[] dst, int dstOffset, int rawSize) {
    int sp = srcOffset;
    int srcEnd = srcOffset + srcLength;
    int dp = dstOffset;
    int dstEnd = dstOffset + rawSize;
    while (sp < srcEnd && dp < dstEnd) {
      int control = src.get(sp++) & 0xFF;
      for (int item = 0; item < 8 && sp < srcEnd && dp < dstEnd; item++, control >>>= 1) {
        if ((control & 1) == 0) {
          dst[dp++] = src.get(sp++);
          continue;
        }
        if (sp + 2 > srcEnd) return false;
        int first = src.get(sp) & 0xFF;
        int length = (first & 0x0F) + 3;
        int offset = ((first & 0xF0) << 4) | (src.get(sp + 1) & 0xFF);
        sp += 2;
        if (length == 18) {
          if (sp >= srcEnd) return false;
          length += src.get(sp++) & 0xFF;
        }
        // offset 0 would copy nothing forever; beyond the output start it reads outside the page
        if (offset == 0 || offset > dp - dstOffset) return false;
        length = Math.min(length, dstEnd - dp);
        copyBackReference(dst, dp, offset, length);
        dp += length;
      }
    }
    return dp == dstEnd && sp == srcEnd;
  }

  /** Copies length bytes from offset back; when they overlap, the pattern repeats as in pglz. */
  private static void copyBackReference(byte[] dst, int dp, int offset, int length) {
    if (offset >= length) {
      System.arraycopy(dst, dp - offset, dst, dp, length);
      return;
    }
    for (int i = 0; i < length; i++) {
      dst[dp + i] = dst[dp - offset + i];
    }
  }
}
