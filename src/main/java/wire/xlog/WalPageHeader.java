package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import wire.xlog.WalFormatException.Kind;

/**
 * The header at the start of every 8 KiB WAL page (XLogPageHeaderData), and the long form
 * (XLogLongPageHeaderData) on the first page of each segment. Little-endian, as written on x86.
 *
 * <pre>
 * short (24 bytes): magic u16 | info u16 | tli u32 | pageaddr u64 | rem_len u32 | pad 4
 * long  (40 bytes): short | sysid u64 | seg_size u32 | xlog_blcksz u32
 * </pre>
 *
 * The decoder reads and validates headers with {@link #read} and {@link #validate}; the encoder
 * builds them with {@link #forPage} and writes them with {@link #encode()}.
 */
public record WalPageHeader(
    int magic, int info, int timeline, long pageAddr, long remLen, long systemId, long segmentSize, int blockSize) {
  /** XLOG_PAGE_MAGIC of PostgreSQL 15 (0xD10D was PostgreSQL 14). */
  public static final int MAGIC = 0xD110;
  public static final int SHORT_SIZE = 24;
  public static final int LONG_SIZE = 40;

  public static final int FIRST_IS_CONTRECORD = 0x0001;
  public static final int LONG_HEADER = 0x0002;
  public static final int BKP_REMOVABLE = 0x0004;
  public static final int FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
  public static final int ALL_FLAGS = 0x000F;

  /** The header's size as announced by its info field at {@code index}; needs 4 readable bytes. */
  public static int sizeAt(ByteBuffer buf, int index) {
    int info = Short.toUnsignedInt(littleEndian(buf).getShort(index + 2));
    return (info & LONG_HEADER) != 0 ? LONG_SIZE : SHORT_SIZE;
  }

  /** The size of the header a valid page at {@code pageAddr} has: long on a segment's first page. */
  public static int sizeOfPageAt(long pageAddr, long segmentSize) {
    return Long.remainderUnsigned(pageAddr, segmentSize) == 0 ? LONG_SIZE : SHORT_SIZE;
  }

  /**
   * The header PostgreSQL writes for the page at {@code pageAddr}. {@code remLen} is how many bytes
   * of a record that began on an earlier page are still to come; when it is non-zero the page
   * starts with them and XLP_FIRST_IS_CONTRECORD is set.
   */
  public static WalPageHeader forPage(long systemId, int timeline, long segmentSize, long pageAddr, long remLen) {
    if (pageAddr % Lsn.WAL_PAGE_SIZE != 0) throw new IllegalArgumentException("page address " + Lsn.of(pageAddr) + " is not at a page start");
    if (remLen < 0 || remLen > 0xFFFF_FFFFL) throw new IllegalArgumentException("xlp_rem_len out of range: " + remLen);
    boolean isLong = sizeOfPageAt(pageAddr, segmentSize) == LONG_SIZE;
    int info = (isLong ? LONG_HEADER : 0) | (remLen > 0 ? FIRST_IS_CONTRECORD : 0);
    return isLong
        ? new WalPageHeader(MAGIC, info, timeline, pageAddr, remLen, systemId, segmentSize, Lsn.WAL_PAGE_SIZE)
        : new WalPageHeader(MAGIC, info, timeline, pageAddr, remLen, 0, 0, 0);
  }

  /** The header's bytes: {@link #size()} of them, the fields as {@link #read} reads them. */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) magic).putShort((short) info).putInt(timeline).putLong(pageAddr).putInt((int) remLen).putInt(0);
    if (isLong()) b.putLong(systemId).putInt((int) segmentSize).putInt(blockSize);
    return b.array();
  }

  /** Reads a header at an absolute index; needs {@link #sizeAt} bytes. Does not validate. */
  public static WalPageHeader read(ByteBuffer buf, int index) {
    ByteBuffer b = littleEndian(buf);
    int magic = Short.toUnsignedInt(b.getShort(index));
    int info = Short.toUnsignedInt(b.getShort(index + 2));
    int tli = b.getInt(index + 4);
    long pageAddr = b.getLong(index + 8);
    long remLen = Integer.toUnsignedLong(b.getInt(index + 16));
    if ((info & LONG_HEADER) == 0) return new WalPageHeader(magic, info, tli, pageAddr, remLen, 0, 0, 0);
    return new WalPageHeader(magic, info, tli, pageAddr, remLen,
        b.getLong(index + 24), Integer.toUnsignedLong(b.getInt(index + 32)), b.getInt(index + 36));
  }

  public boolean isLong() {
    return (info & LONG_HEADER) != 0;
  }

  public int size() {
    return isLong() ? LONG_SIZE : SHORT_SIZE;
  }

  public boolean continuesRecord() {
    return (info & FIRST_IS_CONTRECORD) != 0;
  }

  /** Set on a page whose first bytes replace the lost tail of a record that was never finished. */
  public boolean overwritesContrecord() {
    return (info & FIRST_IS_OVERWRITE_CONTRECORD) != 0;
  }

  /**
   * The checks PostgreSQL makes before trusting a page: magic, known flags, a long header exactly
   * at segment starts with matching system id, segment size and block size, and the page address.
   *
   * @param expectedSystemId 0 accepts any system id
   */
  public void validate(long expectedAddr, long expectedSegmentSize, long expectedSystemId) throws WalFormatException {
    Lsn at = Lsn.of(expectedAddr);
    if (magic != MAGIC) {
      throw bad(at, String.format("magic number %04X, expected %04X", magic, MAGIC));
    }
    if ((info & ~ALL_FLAGS) != 0) {
      throw bad(at, String.format("unknown info bits %04X", info));
    }
    boolean segmentStart = Long.remainderUnsigned(expectedAddr, expectedSegmentSize) == 0;
    if (isLong() != segmentStart) {
      throw bad(at, segmentStart ? "first page of a segment has a short header" : "long header in the middle of a segment");
    }
    if (isLong()) {
      if (expectedSystemId != 0 && systemId != expectedSystemId) {
        throw bad(at, "system identifier " + Long.toUnsignedString(systemId) + ", expected " + Long.toUnsignedString(expectedSystemId));
      }
      if (segmentSize != expectedSegmentSize) {
        throw bad(at, "segment size " + segmentSize + ", expected " + expectedSegmentSize);
      }
      if (blockSize != Lsn.WAL_PAGE_SIZE) {
        throw bad(at, "WAL block size " + blockSize + ", expected " + Lsn.WAL_PAGE_SIZE);
      }
    }
    if (pageAddr != expectedAddr) {
      throw bad(at, "page address " + Lsn.of(pageAddr) + ", expected " + at);
    }
  }

  static ByteBuffer littleEndian(ByteBuffer buf) {
    return buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static WalFormatException bad(Lsn at, String what) {
    return new WalFormatException(Kind.INVALID_PAGE_HEADER, at, what);
  }
}
