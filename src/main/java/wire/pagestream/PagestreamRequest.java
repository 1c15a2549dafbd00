package wire.pagestream;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * Compute → pageserver requests of pagestream v2 (pageserver.md §8.2), one per CopyData: a tag
 * byte, {@code request_lsn u64}, {@code not_modified_since u64}, then the body; big-endian. A
 * RelTag is {@code spcnode u32 | dbnode u32 | relnode u32 | forknum u8}.
 */
public sealed interface PagestreamRequest {
  /** The LSN to read at; {@code 0xFFFFFFFFFFFFFFFF} means "latest" (a primary). */
  Lsn requestLsn();

  /** The page (or relation) did not change after this LSN, so it may be read there. */
  Lsn notModifiedSince();

  byte[] encode();

  record Exists(Lsn requestLsn, Lsn notModifiedSince, RelTag rel) implements PagestreamRequest {
    @Override
    public byte[] encode() {
      return relTag(header(0, this), rel).toByteArray();
    }
  }

  record Nblocks(Lsn requestLsn, Lsn notModifiedSince, RelTag rel) implements PagestreamRequest {
    @Override
    public byte[] encode() {
      return relTag(header(1, this), rel).toByteArray();
    }
  }

  record GetPage(Lsn requestLsn, Lsn notModifiedSince, RelTag rel, int blockNumber) implements PagestreamRequest {
    @Override
    public byte[] encode() {
      return relTag(header(2, this), rel).u32(Integer.toUnsignedLong(blockNumber)).toByteArray();
    }
  }

  record DbSize(Lsn requestLsn, Lsn notModifiedSince, int dbNode) implements PagestreamRequest {
    @Override
    public byte[] encode() {
      return header(3, this).u32(Integer.toUnsignedLong(dbNode)).toByteArray();
    }
  }

  /** A whole SLRU segment; kind 0 = pg_xact, 1 = multixact members, 2 = multixact offsets. */
  record GetSlruSegment(Lsn requestLsn, Lsn notModifiedSince, SlruKind kind, int segno) implements PagestreamRequest {
    @Override
    public byte[] encode() {
      return header(4, this).u8(kind.ordinal()).u32(Integer.toUnsignedLong(segno)).toByteArray();
    }
  }

  /** SLRU kinds in the pagestream numbering. */
  enum SlruKind {
    CLOG, MULTIXACT_MEMBERS, MULTIXACT_OFFSETS
  }

  private static FieldWriter header(int tag, PagestreamRequest r) {
    return new FieldWriter().u8(tag).u64(r.requestLsn().value()).u64(r.notModifiedSince().value());
  }

  private static FieldWriter relTag(FieldWriter w, RelTag rel) {
    return w.u32(Integer.toUnsignedLong(rel.spcNode())).u32(Integer.toUnsignedLong(rel.dbNode()))
        .u32(Integer.toUnsignedLong(rel.relNode())).u8(rel.fork().ordinal());
  }

  /** Reads one request; the whole buffer must be that request. */
  static PagestreamRequest decode(ByteBuffer in) throws WireFormatException {
    FieldReader r = FieldReader.bigEndian("pagestream request", in);
    int tag = r.u8("tag");
    if (tag > 4) throw r.error("tag", tag, "unknown request (expected 0 Exists, 1 Nblocks, 2 GetPage, 3 DbSize, 4 GetSlruSegment)");
    Lsn requestLsn = new Lsn(r.i64("request_lsn"));
    Lsn notModifiedSince = new Lsn(r.i64("not_modified_since"));
    PagestreamRequest req = switch (tag) {
      case 0 -> new Exists(requestLsn, notModifiedSince, relTag(r));
      case 1 -> new Nblocks(requestLsn, notModifiedSince, relTag(r));
      case 2 -> new GetPage(requestLsn, notModifiedSince, relTag(r), r.i32("blkno"));
      case 3 -> new DbSize(requestLsn, notModifiedSince, r.i32("dbnode"));
      default -> {
        int kind = r.u8("kind");
        if (kind >= SlruKind.values().length) throw r.error("kind", kind, "unknown SLRU kind (0 clog, 1 members, 2 offsets)");
        yield new GetSlruSegment(requestLsn, notModifiedSince, SlruKind.values()[kind], r.i32("segno"));
      }
    };
    r.end();
    return req;
  }

  private static RelTag relTag(FieldReader r) throws WireFormatException {
    int spc = r.i32("spcnode"), db = r.i32("dbnode"), rel = r.i32("relnode");
    int forknum = r.u8("forknum");
    ForkNumber fork = ForkNumber.ofNumber(forknum);
    if (fork == null) throw r.error("forknum", forknum, "unknown fork (0 main, 1 fsm, 2 vm, 3 init)");
    return new RelTag(spc, db, rel, fork);
  }
}
