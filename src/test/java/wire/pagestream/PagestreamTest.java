package wire.pagestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

class PagestreamTest {
  private static final RelTag REL = new RelTag(1663, 5, 16384, ForkNumber.VM);
  private static final Lsn LATEST = new Lsn(-1L);

  private static byte[] page(int seed) {
    byte[] p = new byte[8192];
    for (int i = 0; i < p.length; i++) p[i] = (byte) (i * seed);
    return p;
  }

  private static List<PagestreamRequest> requests() {
    Lsn lsn = Lsn.parse("0/16B3748"), since = Lsn.parse("0/1000000");
    return List.of(
        new PagestreamRequest.Exists(lsn, since, REL),
        new PagestreamRequest.Nblocks(LATEST, since, REL),
        new PagestreamRequest.GetPage(lsn, since, new RelTag(1664, 0, -2, ForkNumber.MAIN), -1),
        new PagestreamRequest.DbSize(lsn, lsn, 16385),
        new PagestreamRequest.GetSlruSegment(lsn, since, PagestreamRequest.SlruKind.MULTIXACT_OFFSETS, 0x1234));
  }

  private static List<PagestreamResponse> responses() {
    return List.of(
        new PagestreamResponse.Exists(true),
        new PagestreamResponse.Exists(false),
        new PagestreamResponse.Nblocks(-5),
        new PagestreamResponse.GetPage(page(7)),
        new PagestreamResponse.Error("tried to request a page version that was garbage collected"),
        new PagestreamResponse.DbSize(8192L * 1000),
        new PagestreamResponse.GetSlruSegment(Arrays.copyOf(page(3), 8192 * 2)),
        new PagestreamResponse.GetSlruSegment(new byte[0]));
  }

  @Test
  void requestsAndResponsesSurviveARoundTrip() throws Exception {
    for (PagestreamRequest r : requests()) assertEquals(r, PagestreamRequest.decode(ByteBuffer.wrap(r.encode())));
    for (PagestreamResponse r : responses()) assertEquals(r, PagestreamResponse.decode(ByteBuffer.wrap(r.encode())));
  }

  @Test
  void getPageRequestHasTheV2ByteLayout() {
    byte[] expected = new FieldWriter().u8(2).u64(0x16B3748).u64(0x1000000).u32(1663).u32(5).u32(16384).u8(2).u32(9)
        .toByteArray();
    assertEquals(1 + 8 + 8 + 13 + 4, expected.length);
    assertArrayEquals(expected, new PagestreamRequest.GetPage(Lsn.of(0x16B3748), Lsn.of(0x1000000), REL, 9).encode());
    assertArrayEquals(new byte[] {103, 'n', 'o', 0}, new PagestreamResponse.Error("no").encode());
  }

  @Test
  void everyTruncationIsATypedError() {
    for (PagestreamRequest r : requests()) {
      byte[] full = r.encode();
      for (int len = 0; len < full.length; len++) {
        byte[] cut = Arrays.copyOf(full, len);
        assertThrows(WireFormatException.class, () -> PagestreamRequest.decode(ByteBuffer.wrap(cut)), r + " cut to " + len);
      }
    }
    for (PagestreamResponse r : responses()) {
      byte[] full = r.encode();
      for (int len = 0; len < full.length; len += len < 64 ? 1 : 997) {
        byte[] cut = Arrays.copyOf(full, len);
        assertThrows(WireFormatException.class, () -> PagestreamResponse.decode(ByteBuffer.wrap(cut)), r + " cut to " + len);
      }
    }
  }

  @Test
  void unknownTagsForksAndKindsAreNamed() {
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> PagestreamRequest.decode(ByteBuffer.wrap(new byte[] {9})));
    assertEquals("tag", e.field());
    assertEquals("9", e.value());
    byte[] badFork = new FieldWriter().u8(0).u64(1).u64(0).u32(1663).u32(5).u32(1).u8(4).toByteArray();
    e = assertThrows(WireFormatException.class, () -> PagestreamRequest.decode(ByteBuffer.wrap(badFork)));
    assertEquals("forknum", e.field());
    byte[] badKind = new FieldWriter().u8(4).u64(1).u64(0).u8(3).u32(0).toByteArray();
    e = assertThrows(WireFormatException.class, () -> PagestreamRequest.decode(ByteBuffer.wrap(badKind)));
    assertEquals("kind", e.field());
    e = assertThrows(WireFormatException.class, () -> PagestreamResponse.decode(ByteBuffer.wrap(new byte[] {99})));
    assertEquals("tag", e.field());
  }

  @Test
  void absurdSlruPageCountIsRefused() {
    byte[] huge = new FieldWriter().u8(105).u32(0xFFFF_FFFFL).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> PagestreamResponse.decode(ByteBuffer.wrap(huge)));
    assertEquals("n_blocks", e.field());
  }

  @Test
  void trailingBytesAndNonBooleanExistsAreRefused() {
    byte[] extra = Arrays.copyOf(new PagestreamRequest.DbSize(Lsn.of(1), Lsn.of(1), 5).encode(), 22);
    assertEquals("(end)", assertThrows(WireFormatException.class, () -> PagestreamRequest.decode(ByteBuffer.wrap(extra))).field());
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> PagestreamResponse.decode(ByteBuffer.wrap(new byte[] {100, 2})));
    assertEquals("exists", e.field());
  }
}
