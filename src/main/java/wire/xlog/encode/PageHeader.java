package wire.xlog.encode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import wire.xlog.Lsn;

/**
 * WAL page headers as the encoder writes them (PG15, little-endian): the 24-byte short header on
 * every page, extended to the 40-byte long header on a segment's first page. Page headers carry no
 * CRC; readers check magic, flags, page address, timeline and, in long headers, the system id and
 * sizes.
 */
public final class PageHeader {
  public static final int MAGIC = 0xD110;
  public static final int SHORT_SIZE = 24;
  public static final int LONG_SIZE = 40;
  public static final int XLP_FIRST_IS_CONTRECORD = 0x1;
  public static final int XLP_LONG_HEADER = 0x2;

  private PageHeader() {}

  /** Header size of the page starting at {@code pageAddr}: long on a segment's first page. */
  public static int sizeAt(Lsn pageAddr, int segmentSize) {
    return pageAddr.segmentOffset(segmentSize) == 0 ? LONG_SIZE : SHORT_SIZE;
  }

  /**
   * The header for the page at {@code pageAddr}. {@code remLen} is how many bytes of a record that
   * began on an earlier page are still to come; when it is non-zero the page starts with them and
   * XLP_FIRST_IS_CONTRECORD is set.
   */
  public static byte[] encode(WalIdentity id, Lsn pageAddr, int remLen) {
    if (pageAddr.pageOffset() != 0) throw new IllegalArgumentException("page address " + pageAddr + " is not at a page start");
    if (remLen < 0) throw new IllegalArgumentException("negative xlp_rem_len " + remLen);
    boolean isLong = sizeAt(pageAddr, id.segmentSize()) == LONG_SIZE;
    ByteBuffer b = ByteBuffer.allocate(isLong ? LONG_SIZE : SHORT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int info = (isLong ? XLP_LONG_HEADER : 0) | (remLen > 0 ? XLP_FIRST_IS_CONTRECORD : 0);
    b.putShort((short) MAGIC).putShort((short) info).putInt(id.timeline()).putLong(pageAddr.value()).putInt(remLen).putInt(0);
    if (isLong) b.putLong(id.systemId()).putInt(id.segmentSize()).putInt(Lsn.WAL_PAGE_SIZE);
    return b.array();
  }
}
