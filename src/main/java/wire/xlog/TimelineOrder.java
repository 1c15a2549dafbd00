package wire.xlog;

import wire.xlog.WalFormatException.Kind;

/** Page timelines never go backwards as WAL is read; a page read again (after waiting for bytes) is not checked twice. */
final class TimelineOrder {
  private int latestTimeline;
  private long latestPage = -1;

  void note(long pageLsn, WalPageHeader h) throws WalFormatException {
    if (pageLsn <= latestPage) return;
    if (Integer.compareUnsigned(h.timeline(), latestTimeline) < 0) {
      throw new WalFormatException(Kind.INVALID_PAGE_HEADER, Lsn.of(pageLsn),
          "timeline " + Integer.toUnsignedString(h.timeline()) + " after " + Integer.toUnsignedString(latestTimeline));
    }
    latestPage = pageLsn;
    latestTimeline = h.timeline();
  }
}
