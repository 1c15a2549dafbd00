package store.pgdatadir;

import wire.pgdata.Clog;
import wire.pgdata.MultiXactSlru;
import wire.pgdata.Slru;

/**
 * PostgreSQL's modulo-2^32 orderings of xids, multixacts and SLRU pages, and its rule for which
 * SLRU segments a truncation removes (transam.c, clog.c, multixact.c, slru.c of PostgreSQL 15).
 */
final class SlruOrder {
  static final int FIRST_NORMAL_XID = 3;
  static final int FIRST_MULTI_XID = 1;

  private SlruOrder() {}

  /** TransactionIdPrecedes: special xids (below 3) compare as plain numbers. */
  static boolean transactionIdPrecedes(int a, int b) {
    if (Integer.compareUnsigned(a, FIRST_NORMAL_XID) < 0 || Integer.compareUnsigned(b, FIRST_NORMAL_XID) < 0) {
      return Integer.compareUnsigned(a, b) < 0;
    }
    return a - b < 0;
  }

  static boolean multiXactIdPrecedes(int a, int b) {
    return a - b < 0;
  }

  /** CLOGPagePrecedes. */
  static boolean clogPagePrecedes(int page1, int page2) {
    int xid1 = page1 * Clog.XACTS_PER_PAGE + FIRST_NORMAL_XID + 1;
    int xid2 = page2 * Clog.XACTS_PER_PAGE + FIRST_NORMAL_XID + 1;
    return transactionIdPrecedes(xid1, xid2) && transactionIdPrecedes(xid1, xid2 + Clog.XACTS_PER_PAGE - 1);
  }

  /** MultiXactOffsetPagePrecedes. */
  static boolean offsetsPagePrecedes(int page1, int page2) {
    int m1 = page1 * MultiXactSlru.OFFSETS_PER_PAGE + FIRST_MULTI_XID + 1;
    int m2 = page2 * MultiXactSlru.OFFSETS_PER_PAGE + FIRST_MULTI_XID + 1;
    return multiXactIdPrecedes(m1, m2) && multiXactIdPrecedes(m1, m2 + MultiXactSlru.OFFSETS_PER_PAGE - 1);
  }

  /** PreviousMultiXactId: the multixact before, skipping 0 (invalid). */
  static int previousMultiXactId(int multi) {
    return multi == FIRST_MULTI_XID ? -1 : multi - 1;
  }

  interface PagePrecedes {
    boolean test(int page1, int page2);
  }

  /** SlruMayDeleteSegment: both the segment's first and last page precede the cutoff page. */
  static boolean mayDeleteSegment(int segno, int cutoffPage, PagePrecedes precedes) {
    int first = segno * Slru.PAGES_PER_SEGMENT;
    return precedes.test(first, cutoffPage) && precedes.test(first + Slru.PAGES_PER_SEGMENT - 1, cutoffPage);
  }
}
