package actors.pageserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import store.pgdatadir.Datadir;
import wire.keyspace.Key;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * Answers one pagestream request on a timeline (reference pageserver.md §8.2): picks the LSN to read
 * at, waits for it, then reads. Failures come back as {@link PsError.Failure}s for an error response.
 */
final class PageRequests {
  static final long LATEST = -1L;

  private PageRequests() {}

  static CompletionStage<PagestreamResponse> answer(TimelineHandle tl, PagestreamRequest req) {
    long lsn;
    try {
      lsn = readLsn(tl, req);
    } catch (PsError.Failure f) {
      return CompletableFuture.failedFuture(f);
    }
    long waitFor = req.requestLsn().value() == LATEST ? req.notModifiedSince().value() : lsn;
    return tl.waitFor(waitFor).thenCompose(last -> {
      long at = req.requestLsn().value() == LATEST ? Math.max(last, lsn) : lsn;
      try {
        return read(tl, tl.datadir(at), req);
      } catch (IOException e) {
        throw PsError.of(e);
      }
    });
  }

  /** The LSN rules: no zero, not below not_modified_since or the GC cutoff; "latest" means last_record_lsn. */
  static long readLsn(TimelineHandle tl, PagestreamRequest req) {
    long request = req.requestLsn().value(), nms = req.notModifiedSince().value();
    if (request == 0) throw PsError.BAD_LSN.failure("request_lsn 0/0 is invalid");
    if (request == LATEST) return Math.max(tl.lastRecordLsn(), nms);
    if (Long.compareUnsigned(request, nms) < 0) {
      throw PsError.BAD_LSN.failure("request_lsn " + Lsn.of(request) + " is below not_modified_since " + Lsn.of(nms));
    }
    if (Long.compareUnsigned(request, tl.gcCutoff()) < 0) {
      throw PsError.BELOW_GC_CUTOFF.failure("tried to request a page version that was garbage collected: request_lsn "
          + Lsn.of(request) + " is below the GC cutoff " + Lsn.of(tl.gcCutoff()));
    }
    return request;
  }

  private static CompletionStage<PagestreamResponse> read(TimelineHandle tl, Datadir dd, PagestreamRequest req) throws IOException {
    if (req instanceof PagestreamRequest.Exists e) {
      return done(new PagestreamResponse.Exists(dd.relExists(e.rel())));
    } else if (req instanceof PagestreamRequest.Nblocks n) {
      return done(new PagestreamResponse.Nblocks(dd.relSize(n.rel())));
    } else if (req instanceof PagestreamRequest.DbSize d) {
      return done(new PagestreamResponse.DbSize(dd.dbSize(RelTag.DEFAULT_TABLESPACE_OID, d.dbNode())));
    } else if (req instanceof PagestreamRequest.GetPage g) {
      return page(tl, dd, g.rel(), g.blockNumber());
    } else if (req instanceof PagestreamRequest.GetSlruSegment s) {
      Key.SlruKind kind = Key.SlruKind.values()[s.kind().ordinal()];
      int n = dd.slruSegmentSize(kind, s.segno());
      ByteArrayOutputStream pages = new ByteArrayOutputStream(n * Datadir.PAGE_SIZE);
      for (int blk = 0; blk < n; blk++) pages.write(dd.slruPage(kind, s.segno(), blk));
      return done(new PagestreamResponse.GetSlruSegment(pages.toByteArray()));
    }
    throw PsError.MALFORMED.failure("unsupported request " + req);
  }

  private static CompletionStage<PagestreamResponse> page(TimelineHandle tl, Datadir dd, RelTag rel, int blkno) throws IOException {
    int size = dd.relSizeOrMinusOne(rel);
    if (size < 0) throw new Datadir.NoSuchRelation(rel, dd.lsn());
    if (Integer.compareUnsigned(blkno, size) >= 0) {
      throw PsError.NO_SUCH_RELATION.failure("block " + Integer.toUnsignedString(blkno) + " of relation " + rel
          + " does not exist at " + Lsn.of(dd.lsn()) + ": the relation has " + size + " blocks");
    }
    return tl.getAsync(Key.relBlock(rel, blkno), dd.lsn())
        .thenApply(bytes -> new PagestreamResponse.GetPage(bytes != null ? bytes : new byte[Datadir.PAGE_SIZE]));
  }

  private static CompletionStage<PagestreamResponse> done(PagestreamResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
