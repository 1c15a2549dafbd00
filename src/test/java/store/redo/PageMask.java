package store.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test helper: hides the differences between a page rebuilt by redo and the page PostgreSQL wrote
 * that do not matter (walredo.md, "Differences between rebuilt and on-disk pages"). Everything
 * else, pd_lsn included, must be equal.
 *
 * <ul>
 *   <li>any page: the free space between pd_lower and pd_upper, which full-page images leave out;
 *       the pd_flags hints PD_HAS_FREE_LINES and PD_PAGE_FULL;
 *   <li>heap: pd_prune_xid (a hint that prune redo does not reset); tuple space no line pointer
 *       refers to; t_cid (redo writes FirstCommandId); the commit-status hint bits of xmax, and of
 *       xmin unless the tuple is frozen (hints are set without WAL; frozen is logged);
 *   <li>btree: btpo_cycleid and the BTP_HAS_GARBAGE and BTP_SPLIT_END flags (vacuum
 *       bookkeeping that redo does not reproduce); LP_DEAD on leaf items (set by index scans
 *       without WAL).
 * </ul>
 */
public final class PageMask {
  public static final int PAGE = 8192;
  private static final int HEADER = 24;
  private static final int PD_HAS_FREE_LINES = 0x0001;
  private static final int PD_PAGE_FULL = 0x0002;
  private static final int LP_NORMAL = 1;
  private static final int LP_DEAD = 3;
  private static final int HEAP_XMIN_COMMITTED = 0x0100;
  private static final int HEAP_XMIN_INVALID = 0x0200;
  private static final int HEAP_XMIN_FROZEN = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;
  private static final int HEAP_XMAX_COMMITTED = 0x0400;
  private static final int HEAP_XMAX_INVALID = 0x0800;
  private static final int BTP_LEAF = 0x0001;
  private static final int BTP_SPLIT_END = 0x0020;
  private static final int BTP_HAS_GARBAGE = 0x0040;

  private PageMask() {}

  public static long lsn(byte[] page) {
    ByteBuffer b = le(page);
    return (Integer.toUnsignedLong(b.getInt(0)) << 32) | Integer.toUnsignedLong(b.getInt(4));
  }

  public static byte[] heap(byte[] page) {
    byte[] p = page.clone();
    ByteBuffer b = le(p);
    if (isNew(b)) return p;
    common(b);
    b.putInt(20, 0);   // pd_prune_xid
    boolean[] used = new boolean[PAGE];
    for (int i = 0; i < itemCount(b); i++) {
      int lp = b.getInt(HEADER + 4 * i);
      int off = lp & 0x7FFF;
      int flags = (lp >>> 15) & 0x3;
      int len = lp >>> 17;
      if (flags != LP_NORMAL || len < 23 || off + len > PAGE) continue;
      for (int k = off; k < off + len; k++) used[k] = true;
      b.putInt(off + 8, 0);   // t_cid
      int infomask = b.getShort(off + 20) & 0xFFFF;
      infomask &= ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID);
      if ((infomask & HEAP_XMIN_FROZEN) != HEAP_XMIN_FROZEN) infomask &= ~HEAP_XMIN_FROZEN;
      b.putShort(off + 20, (short) infomask);
    }
    int upper = b.getShort(14) & 0xFFFF;
    int special = b.getShort(16) & 0xFFFF;
    for (int k = upper; k < Math.min(special, PAGE); k++) {
      if (!used[k]) p[k] = 0;
    }
    return p;
  }

  public static byte[] btree(byte[] page) {
    byte[] p = page.clone();
    ByteBuffer b = le(p);
    if (isNew(b)) return p;
    common(b);
    int special = b.getShort(16) & 0xFFFF;
    if (special > PAGE - 16) return p;
    int flags = b.getShort(special + 12) & 0xFFFF;
    b.putShort(special + 12, (short) (flags & ~(BTP_SPLIT_END | BTP_HAS_GARBAGE)));
    b.putShort(special + 14, (short) 0);   // btpo_cycleid
    if ((flags & BTP_LEAF) != 0) {
      for (int i = 0; i < itemCount(b); i++) {
        int at = HEADER + 4 * i;
        int lp = b.getInt(at);
        if (((lp >>> 15) & 0x3) == LP_DEAD) b.putInt(at, (lp & ~(0x3 << 15)) | (LP_NORMAL << 15));
      }
    }
    return p;
  }

  /** "equal", or where and how the pages first differ. */
  public static String firstDifference(byte[] expected, byte[] actual) {
    for (int i = 0; i < PAGE; i++) {
      if (expected[i] != actual[i]) {
        return String.format("first difference at byte %d: disk 0x%02X, rebuilt 0x%02X", i, expected[i] & 0xFF, actual[i] & 0xFF);
      }
    }
    return "equal";
  }

  private static void common(ByteBuffer b) {
    int flags = b.getShort(10) & 0xFFFF;
    b.putShort(10, (short) (flags & ~(PD_HAS_FREE_LINES | PD_PAGE_FULL)));
    int lower = b.getShort(12) & 0xFFFF;
    int upper = b.getShort(14) & 0xFFFF;
    if (lower >= HEADER && lower <= upper && upper <= PAGE) {
      for (int k = lower; k < upper; k++) b.put(k, (byte) 0);
    }
  }

  private static int itemCount(ByteBuffer b) {
    int lower = b.getShort(12) & 0xFFFF;
    return lower <= HEADER || lower > PAGE ? 0 : (lower - HEADER) / 4;
  }

  /** An all-zero page (pd_upper 0) has nothing to mask. */
  private static boolean isNew(ByteBuffer b) {
    return b.getShort(14) == 0;
  }

  private static ByteBuffer le(byte[] page) {
    return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
  }
}
