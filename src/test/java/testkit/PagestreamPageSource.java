package testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pagestream.PagestreamResponse;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/** A {@link PageSource} reading from a page service through one {@link PagestreamClient}, pipelined. */
public final class PagestreamPageSource implements PageSource {
  private final PagestreamClient client;

  public PagestreamPageSource(PagestreamClient client) {
    this.client = client;
  }

  @Override
  public byte[] page(RelTag rel, int blkno, long lsn) throws IOException {
    return client.getPage(rel, blkno, new Lsn(lsn));
  }

  @Override
  public List<byte[]> pages(RelTag rel, int from, int count, long lsn) throws IOException {
    List<PagestreamRequest> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) requests.add(new PagestreamRequest.GetPage(new Lsn(lsn), new Lsn(lsn), rel, from + i));
    List<byte[]> out = new ArrayList<>(count);
    for (PagestreamResponse r : client.pipeline(requests)) out.add(((PagestreamResponse.GetPage) r).page());
    return out;
  }

  @Override
  public int nblocks(RelTag rel, long lsn) throws IOException {
    return client.nblocks(rel, new Lsn(lsn));
  }

  @Override
  public byte[] slruSegment(SlruKind kind, int segno, long lsn) throws IOException {
    return client.slruSegment(kind, segno, new Lsn(lsn));
  }
}
