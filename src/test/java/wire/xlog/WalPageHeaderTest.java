package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WalPageHeaderTest {
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;

  private static WalPageHeader header(int magic, int info, long pageAddr, long sysid, int segSize, int blcksz) {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(0, (short) magic).putShort(2, (short) info).putInt(4, 1).putLong(8, pageAddr).putInt(16, 0);
    b.putLong(24, sysid).putInt(32, segSize).putInt(36, blcksz);
    return WalPageHeader.read(b, 0);
  }

  private static String failure(WalPageHeader h, long at, long sysid) {
    WalFormatException e = assertThrows(WalFormatException.class, () -> h.validate(at, SEG, sysid));
    assertEquals(WalFormatException.Kind.INVALID_PAGE_HEADER, e.kind());
    assertEquals(Lsn.of(at), e.lsn());
    return e.getMessage();
  }

  @Test
  void aGoodLongHeaderAtASegmentStartPasses() throws WalFormatException {
    WalPageHeader h = header(0xD110, WalPageHeader.LONG_HEADER, SEG, 77, (int) SEG, 8192);
    h.validate(SEG, SEG, 77);
    assertEquals(40, h.size());
    assertEquals(77, h.systemId());
  }

  @Test
  void eachBrokenFieldIsNamed() {
    long page = SEG + 8192;
    assertTrue(failure(header(0xD10D, 0, page, 0, 0, 0), page, 0).contains("magic number D10D"));
    assertTrue(failure(header(0xD110, 0x10, page, 0, 0, 0), page, 0).contains("unknown info bits 0010"));
    assertTrue(failure(header(0xD110, 0, SEG, 0, 0, 0), SEG, 0).contains("short header"));
    assertTrue(failure(header(0xD110, WalPageHeader.LONG_HEADER, page, 1, (int) SEG, 8192), page, 0).contains("long header in the middle"));
    assertTrue(failure(header(0xD110, WalPageHeader.LONG_HEADER, SEG, 1, (int) SEG, 8192), SEG, 2).contains("system identifier 1, expected 2"));
    assertTrue(failure(header(0xD110, WalPageHeader.LONG_HEADER, SEG, 1, 1 << 20, 8192), SEG, 0).contains("segment size 1048576"));
    assertTrue(failure(header(0xD110, WalPageHeader.LONG_HEADER, SEG, 1, (int) SEG, 4096), SEG, 0).contains("WAL block size 4096"));
    assertTrue(failure(header(0xD110, 0, page - 8192 * 3, 0, 0, 0), page, 0).contains("page address 0/FFC000, expected 0/1002000"));
  }

  @Test
  void encodedHeadersReadBackAndPassValidation() throws WalFormatException {
    WalPageHeader first = WalPageHeader.forPage(77, 3, SEG, SEG, 0);
    byte[] bytes = first.encode();
    assertEquals(WalPageHeader.LONG_SIZE, bytes.length);
    WalPageHeader read = WalPageHeader.read(ByteBuffer.wrap(bytes), 0);
    assertEquals(first, read);
    read.validate(SEG, SEG, 77);

    WalPageHeader continuing = WalPageHeader.forPage(77, 3, SEG, SEG + 8192, 1000);
    assertEquals(WalPageHeader.SHORT_SIZE, continuing.encode().length);
    WalPageHeader back = WalPageHeader.read(ByteBuffer.wrap(continuing.encode()), 0);
    assertEquals(continuing, back);
    assertTrue(back.continuesRecord());
    assertEquals(1000, back.remLen());
    assertEquals(3, back.timeline());
    back.validate(SEG + 8192, SEG, 77);
  }

  @Test
  void theHeaderSizeOfAPageDependsOnlyOnWhetherItStartsASegment() {
    assertEquals(WalPageHeader.LONG_SIZE, WalPageHeader.sizeOfPageAt(0, SEG));
    assertEquals(WalPageHeader.LONG_SIZE, WalPageHeader.sizeOfPageAt(5 * SEG, SEG));
    assertEquals(WalPageHeader.SHORT_SIZE, WalPageHeader.sizeOfPageAt(5 * SEG + 8192, SEG));
    assertThrows(IllegalArgumentException.class, () -> WalPageHeader.forPage(1, 1, SEG, 100, 0));
  }
}
