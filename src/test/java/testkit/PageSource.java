package testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pgdata.RelTag;

/**
 * Where {@link PageOracle} reads the pages it checks: the page server over pagestream, another
 * data directory, anything that can answer "block N of this fork as of LSN L".
 */
public interface PageSource {
  /** Block {@code blkno} of {@code rel} as of {@code lsn}: 8192 bytes. */
  byte[] page(RelTag rel, int blkno, long lsn) throws IOException;

  /** The size of {@code rel} in blocks as of {@code lsn}. */
  int nblocks(RelTag rel, long lsn) throws IOException;

  /** Blocks {@code from .. from+count-1}; a source that can pipeline overrides this. */
  default List<byte[]> pages(RelTag rel, int from, int count, long lsn) throws IOException {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(page(rel, from + i, lsn));
    return out;
  }

  /** A whole SLRU segment (its pages, concatenated) as of {@code lsn}. */
  byte[] slruSegment(SlruKind kind, int segno, long lsn) throws IOException;
}
