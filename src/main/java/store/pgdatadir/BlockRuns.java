package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import wire.pgdata.RelTag;

/**
 * Pages of consecutive blocks of one relation fork as of one LSN, in block order: how a basebackup
 * reads relation files, so a store can answer a whole run at once instead of page by page.
 */
@FunctionalInterface
public interface BlockRuns {
  /** Gives the pages of blocks {@code [first, first + count)} of {@code rel} to {@code sink}, in order. */
  void read(RelTag rel, int first, int count, PageSink sink) throws IOException;

  /** Takes one page at a time. */
  @FunctionalInterface
  interface PageSink {
    /** The block's page, or null when it has no version; the buffer is valid only during the call. */
    void page(ByteBuffer pageOrNull) throws IOException;
  }
}
