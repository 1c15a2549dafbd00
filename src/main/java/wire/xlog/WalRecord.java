package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One decoded WAL record: the XLogRecord header fields, its block references and main data, and
 * the raw bytes as stored in WAL (reassembled across pages) for redo. Buffers handed out are
 * read-only little-endian views into the bytes fed to the decoder, so they stay valid for as long
 * as the record is kept. {@link XLogRecordFormat} reads the bytes.
 *
 * <p>The decoder checks every block header but builds {@link BlockRef} objects only when
 * {@link #blocks()} is first read: most consumers of most records never look at them.
 */
public final class WalRecord {
  public static final int INVALID_XID = 0;
  public static final int INVALID_ORIGIN = 0;

  private final long lsn;
  private final long end;
  private final ByteBuffer buf;   // little-endian, shared: only absolute reads, never position or limit
  private final int base;
  private final int totalLength;
  // the summary of the headers after XLogRecord, set once by XLogRecordFormat before the record is handed out
  int payloadOffset;
  private int mainDataLength;
  private int origin;
  private int toplevelXid;
  private int blockCount;
  private int fpiLength;
  private BlockRef[] blockRefs;    // built on the first read of an element of blocks()

  WalRecord(long lsn, long end, ByteBuffer buf, int base, int totalLength) {
    this.lsn = lsn;
    this.end = end;
    this.buf = buf;
    this.base = base;
    this.totalLength = totalLength;
  }

  void setSummary(int payloadOffset, int mainDataLength, int origin, int toplevelXid, int blockCount, int fpiLength) {
    this.payloadOffset = payloadOffset;
    this.mainDataLength = mainDataLength;
    this.origin = origin;
    this.toplevelXid = toplevelXid;
    this.blockCount = blockCount;
    this.fpiLength = fpiLength;
  }

  ByteBuffer buffer() {
    return buf;
  }

  int base() {
    return base;
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
    return Lsn.of(XLogRecordFormat.prev(buf, base));
  }

  /** xl_tot_len: header, block headers, images, data and main data. */
  public int totalLength() {
    return totalLength;
  }

  /** xl_xid, unsigned 32-bit; 0 when the record has no transaction. */
  public int xid() {
    return XLogRecordFormat.xid(buf, base);
  }

  /** The whole xl_info byte, including XLR_SPECIAL_REL_UPDATE and XLR_CHECK_CONSISTENCY. */
  public int info() {
    return XLogRecordFormat.info(buf, base);
  }

  /** The rmgr's own bits of xl_info (XLR_RMGR_INFO_MASK), which select the record type. */
  public int rmgrInfo() {
    return info() & XLogRecordFormat.XLR_RMGR_INFO_MASK;
  }

  public int rmid() {
    return XLogRecordFormat.rmid(buf, base);
  }

  /** The built-in rmgr, or null for a custom one. */
  public RmgrId rmgr() {
    return RmgrId.of(rmid());
  }

  public String rmgrName() {
    return RmgrId.nameOf(rmid());
  }

  public boolean isSwitch() {
    return XLogRecordFormat.isSwitch(buf, base);
  }

  /** Block references in block_id order (ids may skip numbers); built on first use of an element. */
  public List<BlockRef> blocks() {
    return blockCount == 0 ? List.of() : new BlockList(this); // a view: cheap when only its size is read
  }

  int blockCount() {
    return blockCount;
  }

  BlockRef blockRef(int index) {
    if (blockRefs == null) blockRefs = XLogRecordFormat.blockRefs(this);
    return blockRefs[index];
  }

  /** The reference with this block_id, or null. */
  public BlockRef block(int blockId) {
    for (BlockRef b : blocks()) {
      if (b.id() == blockId) return b;
    }
    return null;
  }

  /** Bytes of full-page images in the record (pg_waldump's fpi_len). */
  public int fpiLength() {
    return fpiLength;
  }

  /** The rmgr's main data, a read-only little-endian view (empty when there is none); it ends the record. */
  public ByteBuffer mainData() {
    return view(buf, base + totalLength - mainDataLength, mainDataLength);
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
    return view(buf, base, totalLength);
  }

  /** A copy of the raw bytes, for storing. */
  public byte[] rawBytes() {
    byte[] copy = new byte[totalLength];
    buf.get(base, copy);
    return copy;
  }

  static ByteBuffer view(ByteBuffer buf, int offset, int length) {
    return buf.slice(offset, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public String toString() {
    return "WalRecord[lsn=" + lsn() + " end=" + endLsn() + " rmgr=" + rmgrName() + String.format(" info=0x%02X", info())
        + " len=" + totalLength() + " blocks=" + blocks() + "]";
  }
}
