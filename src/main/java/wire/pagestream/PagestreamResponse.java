package wire.pagestream;

import java.nio.ByteBuffer;
import java.util.Arrays;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;

/**
 * Pageserver → compute responses of pagestream v2 (pageserver.md §8.2): a tag byte (100 + the
 * request's tag, 103 for an error) and the body, big-endian.
 */
public sealed interface PagestreamResponse {
  int PAGE_SIZE = 8192;
  /** Pages in one SLRU segment: a GetSlruSegment answer never has more. */
  int SLRU_PAGES_PER_SEGMENT = 32;

  byte[] encode();

  record Exists(boolean exists) implements PagestreamResponse {
    @Override
    public byte[] encode() {
      return new FieldWriter().u8(100).u8(exists ? 1 : 0).toByteArray();
    }
  }

  record Nblocks(int nblocks) implements PagestreamResponse {
    @Override
    public byte[] encode() {
      return new FieldWriter().u8(101).u32(Integer.toUnsignedLong(nblocks)).toByteArray();
    }
  }

  record GetPage(byte[] page) implements PagestreamResponse {
    /** The tag byte before the page. */
    public static final int TAG = 102;

    public GetPage {
      if (page.length != PAGE_SIZE) throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, got " + page.length);
    }

    @Override
    public byte[] encode() {
      return new FieldWriter().u8(TAG).bytes(page).toByteArray();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GetPage g && Arrays.equals(page, g.page);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(page);
    }

    @Override
    public String toString() {
      return "GetPage[8192 bytes]";
    }
  }

  record Error(String message) implements PagestreamResponse {
    @Override
    public byte[] encode() {
      return new FieldWriter().u8(103).cstring(message).toByteArray();
    }
  }

  /** Database size in bytes. */
  record DbSize(long bytes) implements PagestreamResponse {
    @Override
    public byte[] encode() {
      return new FieldWriter().u8(104).u64(bytes).toByteArray();
    }
  }

  /** The segment's pages, {@code n_blocks u32} then n × 8192 bytes. */
  record GetSlruSegment(byte[] pages) implements PagestreamResponse {
    public GetSlruSegment {
      if (pages.length % PAGE_SIZE != 0 || pages.length > SLRU_PAGES_PER_SEGMENT * PAGE_SIZE) {
        throw new IllegalArgumentException("an SLRU segment is up to 32 whole pages, got " + pages.length + " bytes");
      }
    }

    public int nblocks() {
      return pages.length / PAGE_SIZE;
    }

    @Override
    public byte[] encode() {
      return new FieldWriter().u8(105).u32(nblocks()).bytes(pages).toByteArray();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GetSlruSegment g && Arrays.equals(pages, g.pages);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(pages);
    }

    @Override
    public String toString() {
      return "GetSlruSegment[" + nblocks() + " pages]";
    }
  }

  /** Reads one response; the whole buffer must be that response. */
  static PagestreamResponse decode(ByteBuffer in) throws WireFormatException {
    FieldReader r = FieldReader.bigEndian("pagestream response", in);
    int tag = r.u8("tag");
    PagestreamResponse resp = switch (tag) {
      case 100 -> new Exists(r.bool("exists"));
      case 101 -> new Nblocks(r.i32("n_blocks"));
      case 102 -> new GetPage(r.bytes("page", PAGE_SIZE));
      case 103 -> new Error(r.cstring("message"));
      case 104 -> new DbSize(r.i64("db_size"));
      case 105 -> {
        long n = r.u32("n_blocks");
        if (n > SLRU_PAGES_PER_SEGMENT) throw r.error("n_blocks", n, "an SLRU segment has at most " + SLRU_PAGES_PER_SEGMENT + " pages");
        yield new GetSlruSegment(r.bytes("pages", (int) n * PAGE_SIZE));
      }
      default -> throw r.error("tag", tag, "unknown response (expected 100..105)");
    };
    r.end();
    return resp;
  }
}
