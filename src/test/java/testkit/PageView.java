package testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The standard PostgreSQL page header and line pointer array over an 8 KiB page, little-endian
 * (bufpage.h, itemid.h). Reads and writes go straight to the array it wraps.
 */
final class PageView {
  static final int SIZE = 8192;
  static final int HEADER = 24;
  static final int LP_UNUSED = 0;
  static final int LP_NORMAL = 1;
  static final int LP_DEAD = 3;
  private static final int OFF_CHECKSUM = 8;
  private static final int OFF_FLAGS = 10;
  private static final int OFF_LOWER = 12;
  private static final int OFF_UPPER = 14;
  private static final int OFF_SPECIAL = 16;
  private static final int OFF_PRUNE_XID = 20;

  final byte[] page;
  private final ByteBuffer b;

  PageView(byte[] page) {
    if (page.length != SIZE) throw new IllegalArgumentException("a page is " + SIZE + " bytes, got " + page.length);
    this.page = page;
    this.b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** pd_lsn as one 64-bit LSN (xlogid in the high half). */
  long lsn() {
    return (Integer.toUnsignedLong(b.getInt(0)) << 32) | Integer.toUnsignedLong(b.getInt(4));
  }

  void setLsn(long lsn) {
    b.putInt(0, (int) (lsn >>> 32));
    b.putInt(4, (int) lsn);
  }

  void clearChecksum() { putU16(OFF_CHECKSUM, 0); }
  int flags() { return u16(OFF_FLAGS); }
  void setFlags(int flags) { putU16(OFF_FLAGS, flags); }
  int lower() { return u16(OFF_LOWER); }
  int upper() { return u16(OFF_UPPER); }
  int special() { return u16(OFF_SPECIAL); }
  void clearPruneXid() { b.putInt(OFF_PRUNE_XID, 0); }

  /** PageIsNew: pd_upper is 0 only on a page never initialised (all zeros as read past EOF). */
  boolean isNew() {
    return upper() == 0;
  }

  /** The bounds mask_unused_space checks before trusting them. */
  boolean headerIsSane() {
    int lower = lower(), upper = upper(), special = special();
    return lower >= HEADER && lower <= upper && upper <= special && special <= SIZE;
  }

  /** PageGetMaxOffsetNumber: line pointers between the header and pd_lower. */
  int itemCount() {
    int lower = lower();
    return lower <= HEADER || lower > SIZE ? 0 : (lower - HEADER) / 4;
  }

  /** Line pointer {@code i}, counting from 0 (offset number i + 1). */
  int itemId(int i) { return b.getInt(HEADER + 4 * i); }
  void setItemId(int i, int lp) { b.putInt(HEADER + 4 * i, lp); }
  static int lpOff(int lp) { return lp & 0x7FFF; }
  static int lpFlags(int lp) { return (lp >>> 15) & 0x3; }
  static int lpLen(int lp) { return lp >>> 17; }
  static int withLpFlags(int lp, int flags) { return (lp & ~(0x3 << 15)) | (flags << 15); }

  int u16(int at) { return b.getShort(at) & 0xFFFF; }
  void putU16(int at, int v) { b.putShort(at, (short) v); }
  int u32(int at) { return b.getInt(at); }
  void putU32(int at, int v) { b.putInt(at, v); }
  void putU64(int at, long v) { b.putLong(at, v); }

  void zero(int from, int to) {
    java.util.Arrays.fill(page, Math.max(0, from), Math.min(SIZE, to), (byte) 0);
  }
}
