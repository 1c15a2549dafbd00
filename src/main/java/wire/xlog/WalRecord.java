package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One decoded WAL record: the XLogRecord header fields, its block references and main data, and
 * the raw bytes as stored in WAL (reassembled across pages) for redo. Buffers handed out are
 * read-only little-endian views into the bytes fed to the decoder, so they stay valid for as long
 * as the record is kept. {@link XLogRecordFormat} reads the bytes.
 */
public final class WalRecord {
  public static final int INVALID_XID = 0;
  public static final int INVALID_ORIGIN = 0;

  private final long lsn;
  private final long end;
  private final ByteBuffer raw;
  private final int xid;
  private final long prev;
  private final int info;
  private final int rmid;
  private final List<BlockRef> blocks;
  private final int mainDataOffset;
  private final int mainDataLength;
  private final int origin;
  private final int toplevelXid;

  WalRecord(long lsn, long end, ByteBuffer raw, int xid, long prev, int info, int rmid, List<BlockRef> blocks,
      int mainDataOffset, int mainDataLength, int origin, int toplevelXid) {
    this.lsn = lsn;
    this.end = end;
    this.raw = raw;
    this.xid = xid;
    this.prev = prev;
    this.info = info;
    this.rmid = rmid;
    this.blocks = blocks;
    this.mainDataOffset = mainDataOffset;
    this.mainDataLength = mainDataLength;
    this.origin = origin;
    this.toplevelXid = toplevelXid;
  }

  /** Where the record starts (ReadRecPtr). */
  public Lsn lsn() {
    return Lsn.of(lsn);
  }

  public long lsnValue() {
    return lsn;
  }

  /**
   * PostgreSQL's EndRecPtr: MAXALIGN of the position after the last byte, counting page headers
   * crossed; for XLOG_SWITCH, the start of the next segment. Redo stamps pages with it.
   */
  public Lsn endLsn() {
    return Lsn.of(end);
  }

  public long endLsnValue() {
    return end;
  }

  /** xl_prev: the start of the previous record. */
  public Lsn prev() {
    return Lsn.of(prev);
  }

  /** xl_tot_len: header, block headers, images, data and main data. */
  public int totalLength() {
    return raw.limit();
  }

  /** xl_xid, unsigned 32-bit; 0 when the record has no transaction. */
  public int xid() {
    return xid;
  }

  /** The whole xl_info byte, including XLR_SPECIAL_REL_UPDATE and XLR_CHECK_CONSISTENCY. */
  public int info() {
    return info;
  }

  /** The rmgr's own bits of xl_info (XLR_RMGR_INFO_MASK), which select the record type. */
  public int rmgrInfo() {
    return info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
  }

  public int rmid() {
    return rmid;
  }

  /** The built-in rmgr, or null for a custom one. */
  public RmgrId rmgr() {
    return RmgrId.of(rmid);
  }

  public String rmgrName() {
    return RmgrId.nameOf(rmid);
  }

  public boolean isSwitch() {
    return rmid == RmgrId.XLOG.id() && rmgrInfo() == XLogRecordFormat.XLOG_SWITCH;
  }

  /** Block references in block_id order (ids may skip numbers). */
  public List<BlockRef> blocks() {
    return blocks;
  }

  /** The reference with this block_id, or null. */
  public BlockRef block(int blockId) {
    for (BlockRef b : blocks) {
      if (b.id() == blockId) return b;
    }
    return null;
  }

  /** Bytes of full-page images in the record (pg_waldump's fpi_len). */
  public int fpiLength() {
    int sum = 0;
    for (BlockRef b : blocks) {
      if (b.hasImage()) sum += b.image().length();
    }
    return sum;
  }

  /** The rmgr's main data, a read-only little-endian view (empty when there is none). */
  public ByteBuffer mainData() {
    return view(raw, mainDataOffset, mainDataLength);
  }

  public int mainDataLength() {
    return mainDataLength;
  }

  /** The replication origin id, or {@link #INVALID_ORIGIN}. */
  public int origin() {
    return origin;
  }

  /** The top-level xid logged with a subtransaction's first record, or {@link #INVALID_XID}. */
  public int toplevelXid() {
    return toplevelXid;
  }

  /** The record exactly as stored in WAL, xl_tot_len bytes: a read-only little-endian view. */
  public ByteBuffer raw() {
    return view(raw, 0, raw.limit());
  }

  /** A copy of the raw bytes, for storing. */
  public byte[] rawBytes() {
    byte[] copy = new byte[raw.limit()];
    raw.get(0, copy);
    return copy;
  }

  static ByteBuffer view(ByteBuffer buf, int offset, int length) {
    return buf.slice(offset, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public String toString() {
    return "WalRecord[lsn=" + lsn() + " end=" + endLsn() + " rmgr=" + rmgrName() + String.format(" info=0x%02X", info)
        + " len=" + totalLength() + " blocks=" + blocks + "]";
  }
}
