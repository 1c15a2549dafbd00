package wire.xlog;

import wire.xlog.WalFormatException.Kind;

/**
 * Where a reader of WAL goes on after a page header, when no record is in progress: past the rest of
 * a record that began before the reader's start (while it is still skipping one), or to the page's
 * first record. A page that continues a record nobody began is an error. The decoder and the
 * record-end walk both take their step here.
 *
 * @param pos the next position to read
 * @param skipping whether the skipped record goes on past this page
 */
record PageEntry(long pos, boolean skipping) {
  private static final int PAGE = Lsn.WAL_PAGE_SIZE;

  static PageEntry after(WalPageHeader h, long pagePos, boolean skipping) throws WalFormatException {
    long dataStart = pagePos + h.size();
    if (skipping && h.continuesRecord() && !h.overwritesContrecord()) {
      if (h.remLen() > PAGE - h.size()) return new PageEntry(pagePos + PAGE, true);
      return new PageEntry((dataStart + h.remLen() + 7) & ~7L, false);
    }
    if (h.continuesRecord() && !skipping) {
      throw new WalFormatException(Kind.UNEXPECTED_CONTRECORD, Lsn.of(pagePos),
          "page continues a record of which " + h.remLen() + " bytes remain, but a new record was expected");
    }
    return new PageEntry(dataStart, false);
  }
}
