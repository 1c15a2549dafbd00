package testkit;

/**
 * Hides the differences between two versions of a page that PostgreSQL itself does not count as
 * differences: its {@code rm_mask} rules (PG15 {@code bufmask.c} and the {@code *_mask} functions of
 * each access method, as {@code wal_consistency_checking} applies them), plus the one walredo.md
 * found between replayed and written pages: tuple space that no line pointer refers to.
 *
 * <p>Every mask zeroes pd_lsn and pd_checksum (compare {@link #lsn} separately: pd_lsn must be
 * equal). Then, per kind:
 * <ul>
 *   <li>heap, every index kind: the hints pd_prune_xid, PD_PAGE_FULL, PD_HAS_FREE_LINES and
 *       PD_ALL_VISIBLE; the hole between pd_lower and pd_upper (full-page images leave it out);
 *   <li>heap: the commit-status bits of t_infomask ({@code HEAP_XACT_MASK}) unless xmin is frozen,
 *       then only the xmax hints; t_cid (redo writes FirstCommandId); the ctid of a speculative
 *       insertion; padding after each item;
 *   <li>btree: line pointer flags on leaf pages (LP_DEAD is set by scans without WAL);
 *       BTP_HAS_GARBAGE, BTP_SPLIT_END and btpo_cycleid;
 *   <li>hash: everything on an unused page; line pointer flags on bucket and overflow pages;
 *       LH_PAGE_HAS_DEAD_TUPLES;
 *   <li>GIN: everything on a deleted page, else the hole when pd_lower was set;
 *   <li>GiST: the NSN, F_FOLLOW_RIGHT (set), F_HAS_GARBAGE, line pointer flags on leaf pages;
 *   <li>SP-GiST: the hole when pd_lower was set; on the meta page, the lastUsedPages cache, which
 *       the primary updates without WAL (so spg_mask never meets it);
 *   <li>BRIN: the hole on regular pages and on a meta page whose pd_lower was set;
 *       BRIN_EVACUATE_PAGE;
 *   <li>sequence: the hole (no hint masking: seq_mask does not call it);
 *   <li>FSM: the whole content (never WAL-logged, PostgreSQL tolerates it stale or zero);
 *   <li>VM: nothing beyond pd_lsn and pd_checksum (its bits are WAL-logged).
 * </ul>
 * An all-zero page (pd_upper 0) is left as it is; so is any part whose bounds are not sane.
 */
public final class PageMasking {
  public static final int PAGE = PageView.SIZE;
  private static final int PD_HAS_FREE_LINES = 0x0001;
  private static final int PD_PAGE_FULL = 0x0002;
  private static final int PD_ALL_VISIBLE = 0x0004;
  private static final int HEAP_XMIN_COMMITTED = 0x0100;
  private static final int HEAP_XMIN_INVALID = 0x0200;
  private static final int HEAP_XMIN_FROZEN = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;
  private static final int HEAP_XMAX_COMMITTED = 0x0400;
  private static final int HEAP_XMAX_INVALID = 0x0800;
  private static final int HEAP_XACT_MASK = 0xFFF0;
  private static final int SPEC_TOKEN_OFFSET = 0xFFFE;
  private static final int BTP_LEAF = 1;
  private static final int BTP_META = 1 << 3;
  private static final int BTP_SPLIT_END = 1 << 5;
  private static final int BTP_HAS_GARBAGE = 1 << 6;
  private static final int LH_OVERFLOW_PAGE = 1;
  private static final int LH_BUCKET_PAGE = 1 << 1;
  private static final int LH_PAGE_TYPE = 0x0F;
  private static final int LH_PAGE_HAS_DEAD_TUPLES = 1 << 7;
  private static final int GIN_DATA = 1;
  private static final int GIN_DELETED = 1 << 2;
  private static final int GIN_META = 1 << 3;
  private static final int F_LEAF = 1;
  private static final int F_FOLLOW_RIGHT = 1 << 3;
  private static final int F_HAS_GARBAGE = 1 << 4;
  private static final int SPGIST_META = 1;
  private static final int SPGIST_LUP_CACHE = PageView.HEADER + 4;   // after the meta page's magic number
  private static final int SPGIST_LUP_CACHE_SIZE = 8 * 8;             // 8 x (blkno, freeSpace)
  private static final int BRIN_PAGETYPE_META = 0xF091;
  private static final int BRIN_PAGETYPE_REGULAR = 0xF093;
  private static final int BRIN_EVACUATE_PAGE = 1;

  private PageMasking() {}

  /** pd_lsn of a page, as a 64-bit LSN. */
  public static long lsn(byte[] page) {
    return new PageView(page).lsn();
  }

  /** A masked copy of {@code page} (block {@code blkno} of its fork); the argument is not changed. */
  public static byte[] mask(PageKind kind, byte[] page, int blkno) {
    PageView p = new PageView(page.clone());
    p.setLsn(0);
    p.clearChecksum();
    if (p.isNew()) return p.page;
    switch (kind) {
      case HEAP: heap(p, blkno); break;
      case BTREE: btree(p); break;
      case HASH: hash(p); break;
      case GIN: gin(p); break;
      case GIST: gist(p); break;
      case SPGIST: spgist(p); break;
      case BRIN: brin(p); break;
      case SEQUENCE: unusedSpace(p); break;
      case FSM: hints(p); pageContent(p); break;
      case VM: case UNKNOWN: break;
      default: throw new IllegalArgumentException("no mask for " + kind);
    }
    return p.page;
  }

  /** The heap mask alone (kept for the redo tests that compare heap pages). */
  public static byte[] heap(byte[] page) {
    return mask(PageKind.HEAP, page, 0);
  }

  /** The btree mask alone. */
  public static byte[] btree(byte[] page) {
    return mask(PageKind.BTREE, page, 0);
  }

  /** "equal", or where two pages first differ and how. */
  public static String firstDifference(byte[] expected, byte[] actual) {
    if (expected.length != actual.length) return "lengths differ: " + expected.length + " and " + actual.length;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        return String.format("first difference at byte %d: 0x%02X and 0x%02X", i, expected[i] & 0xFF, actual[i] & 0xFF);
      }
    }
    return "equal";
  }

  private static void heap(PageView p, int blkno) {
    hints(p);
    unusedSpace(p);
    deadSpace(p);
    for (int i = 0; i < p.itemCount(); i++) {
      int lp = p.itemId(i);
      int off = PageView.lpOff(lp), len = PageView.lpLen(lp);
      if (PageView.lpFlags(lp) == PageView.LP_NORMAL && len >= 23 && off + len <= PAGE) {
        int infomask = p.u16(off + 20);
        if ((infomask & HEAP_XMIN_FROZEN) != HEAP_XMIN_FROZEN) infomask &= ~HEAP_XACT_MASK;
        else infomask &= ~(HEAP_XMAX_INVALID | HEAP_XMAX_COMMITTED);
        p.putU16(off + 20, infomask);
        p.putU32(off + 8, 0);   // t_cid
        if (p.u16(off + 16) == SPEC_TOKEN_OFFSET) {   // a speculative insertion's token in t_ctid
          p.putU16(off + 12, blkno >>> 16);
          p.putU16(off + 14, blkno & 0xFFFF);
          p.putU16(off + 16, i + 1);
        }
      }
      if (len > 0 && off + len <= PAGE) p.zero(off + len, off + ((len + 7) & ~7));   // MAXALIGN padding
    }
  }

  private static void btree(PageView p) {
    hints(p);
    unusedSpace(p);
    int s = p.special();
    if (PAGE - s != 16 || !p.headerIsSane()) return;
    int flags = p.u16(s + 12);
    if ((flags & BTP_META) == 0) deadSpace(p);
    if ((flags & BTP_LEAF) != 0) lpFlags(p);
    p.putU16(s + 12, flags & ~(BTP_HAS_GARBAGE | BTP_SPLIT_END));
    p.putU16(s + 14, 0);   // btpo_cycleid
  }

  private static void hash(PageView p) {
    hints(p);
    unusedSpace(p);
    int s = p.special();
    if (PAGE - s != 16 || !p.headerIsSane()) return;
    int flags = p.u16(s + 12);
    int type = flags & LH_PAGE_TYPE;
    if (type == 0) {
      pageContent(p);   // an unused page: its content means nothing
      return;
    }
    if (type == LH_BUCKET_PAGE || type == LH_OVERFLOW_PAGE) {
      deadSpace(p);
      lpFlags(p);
    }
    p.putU16(s + 12, flags & ~LH_PAGE_HAS_DEAD_TUPLES);
  }

  private static void gin(PageView p) {
    int s = p.special();
    boolean opaque = PAGE - s == 8 && s >= PageView.HEADER;
    int flags = opaque ? p.u16(s + 6) : 0;
    hints(p);
    if ((flags & GIN_DELETED) != 0) {
      pageContent(p);
    } else if (p.lower() > PageView.HEADER) {
      unusedSpace(p);
      if (opaque && (flags & (GIN_DATA | GIN_META)) == 0) deadSpace(p);   // entry and list pages hold items
    }
  }

  private static void gist(PageView p) {
    hints(p);
    unusedSpace(p);
    int s = p.special();
    if (PAGE - s != 16 || !p.headerIsSane()) return;
    p.putU64(s, 0);   // the NSN is an LSN too
    int flags = p.u16(s + 12);
    deadSpace(p);
    if ((flags & F_LEAF) != 0) lpFlags(p);
    p.putU16(s + 12, (flags | F_FOLLOW_RIGHT) & ~F_HAS_GARBAGE);
  }

  private static void spgist(PageView p) {
    hints(p);
    if (p.lower() >= PageView.HEADER) unusedSpace(p);
    int s = p.special();
    if (PAGE - s != 8 || !p.headerIsSane()) return;
    if ((p.u16(s) & SPGIST_META) == 0) {
      deadSpace(p);
    } else {
      p.zero(SPGIST_LUP_CACHE, SPGIST_LUP_CACHE + SPGIST_LUP_CACHE_SIZE);   // lastUsedPages: never WAL-logged
    }
  }

  private static void brin(PageView p) {
    hints(p);
    int s = p.special();
    if (PAGE - s != 8 || s < PageView.HEADER) return;
    int type = p.u16(s + 6);
    if (type == BRIN_PAGETYPE_REGULAR || (type == BRIN_PAGETYPE_META && p.lower() > PageView.HEADER)) unusedSpace(p);
    if (type == BRIN_PAGETYPE_REGULAR && p.headerIsSane()) deadSpace(p);
    p.putU16(s + 4, p.u16(s + 4) & ~BRIN_EVACUATE_PAGE);
  }

  /** mask_page_hint_bits. */
  private static void hints(PageView p) {
    p.clearPruneXid();
    p.setFlags(p.flags() & ~(PD_HAS_FREE_LINES | PD_PAGE_FULL | PD_ALL_VISIBLE));
  }

  /** mask_unused_space: the hole between pd_lower and pd_upper. */
  private static void unusedSpace(PageView p) {
    if (p.headerIsSane()) p.zero(p.lower(), p.upper());
  }

  /** mask_lp_flags: every used line pointer reads as unused; offset and length stay. */
  private static void lpFlags(PageView p) {
    for (int i = 0; i < p.itemCount(); i++) {
      int lp = p.itemId(i);
      if (PageView.lpFlags(lp) != PageView.LP_UNUSED) p.setItemId(i, PageView.withLpFlags(lp, PageView.LP_UNUSED));
    }
  }

  /** mask_page_content: everything after the header, and pd_lower and pd_upper. */
  private static void pageContent(PageView p) {
    p.zero(PageView.HEADER, PAGE);
    p.putU16(12, 0);
    p.putU16(14, 0);
  }

  /**
   * Bytes between pd_upper and the special space that no line pointer with storage covers: left
   * over on the page that wrote them, absent from one rebuilt from a full-page image (walredo.md).
   */
  private static void deadSpace(PageView p) {
    if (!p.headerIsSane()) return;
    int upper = p.upper(), special = p.special();
    boolean[] used = new boolean[PAGE];
    for (int i = 0; i < p.itemCount(); i++) {
      int lp = p.itemId(i);
      int off = PageView.lpOff(lp), len = PageView.lpLen(lp);
      if (len == 0 || off + len > PAGE) continue;
      for (int k = off; k < off + len; k++) used[k] = true;
    }
    for (int k = upper; k < special; k++) if (!used[k]) p.page[k] = 0;
  }
}
