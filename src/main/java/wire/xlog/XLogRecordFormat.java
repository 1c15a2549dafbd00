package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;
import wire.pgdata.RelFileNode;
import wire.xlog.WalFormatException.Kind;

/**
 * The layout of one WAL record (access/xlogrecord.h), little-endian:
 *
 * <pre>
 * XLogRecord (24): tot_len u32 | xid u32 | prev u64 | info u8 | rmid u8 | pad 2 | crc u32
 * then headers:    block (id 0..32): id u8 | fork_flags u8 | data_len u16
 *                      [image: bimg_len u16 | hole_offset u16 | bimg_info u8 [hole_length u16 if compressed with hole]]
 *                      [RelFileNode spc u32 | db u32 | rel u32 unless SAME_REL] | blkno u32
 *                  origin (253): u16 | toplevel xid (252): u32
 *                  main data (255): len u8, or (254): len u32 — always last
 * then payloads:   per block in order: image bytes, then data; finally main data.
 * </pre>
 *
 * The CRC-32C covers the bytes after the 24-byte header, then the header up to xl_crc. Both the
 * decoder and the encoder ({@link #encode}) use this file, so the layout is written down once.
 */
public final class XLogRecordFormat {
  public static final int HEADER_SIZE = 24;
  static final int TOT_LEN_OFFSET = 0;
  static final int XID_OFFSET = 4;
  static final int PREV_OFFSET = 8;
  static final int INFO_OFFSET = 16;
  static final int RMID_OFFSET = 17;
  static final int CRC_OFFSET = 20;
  public static final int MAX_BLOCK_ID = 32;

  /** Bits of xl_info that belong to the WAL machinery (XLR_INFO_MASK); rmgrs own the high four. */
  public static final int XLR_INFO_MASK = 0x0F;
  /** Bits of xl_info an rmgr uses for its record type (XLR_RMGR_INFO_MASK). */
  public static final int XLR_RMGR_INFO_MASK = 0xF0;
  public static final int XLR_SPECIAL_REL_UPDATE = 0x01;
  public static final int XLR_CHECK_CONSISTENCY = 0x02;
  /** XLOG_SWITCH of the XLOG rmgr: the one record type the reader itself must know, as it ends the segment. */
  public static final int XLOG_SWITCH = 0x40;
  static final int BLOCK_ID_DATA_SHORT = 255;
  static final int BLOCK_ID_DATA_LONG = 254;
  static final int BLOCK_ID_ORIGIN = 253;
  static final int BLOCK_ID_TOPLEVEL_XID = 252;

  private XLogRecordFormat() {}

  /**
   * Checks a standalone record (for example one received by the redo worker): length, CRC and
   * block headers, then decodes it.
   */
  public static WalRecord parse(ByteBuffer raw, Lsn lsn, Lsn end) throws WalFormatException {
    ByteBuffer rec = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (rec.limit() < HEADER_SIZE || Integer.toUnsignedLong(rec.getInt(TOT_LEN_OFFSET)) != rec.limit()) {
      throw new WalFormatException(Kind.INVALID_RECORD_LENGTH, lsn, "buffer of " + rec.limit() + " bytes"
          + (rec.limit() >= 4 ? " but xl_tot_len " + Integer.toUnsignedString(rec.getInt(TOT_LEN_OFFSET)) : ""));
    }
    if (!RmgrId.isValid(rmid(rec, 0))) {
      throw new WalFormatException(Kind.INVALID_RMGR, lsn, "resource manager id " + rmid(rec, 0));
    }
    int len = rec.limit();
    checkCrc(rec, rec.duplicate(), 0, len, new CRC32C(), lsn.value());
    return decode(rec, 0, len, lsn.value(), end.value());
  }

  /**
   * One record with main data and no block references, as PostgreSQL 15 assembles it: the header,
   * a data header (short form up to 255 bytes, else long), the main data, and the CRC.
   */
  public static byte[] encode(int rmid, int info, int xid, Lsn prev, byte[] mainData) {
    if (rmid < 0 || rmid > 255) throw new IllegalArgumentException("rmgr id out of range: " + rmid);
    if (info < 0 || info > 255) throw new IllegalArgumentException("xl_info out of range: " + info);
    int dataHeader = mainData.length == 0 ? 0 : mainData.length <= 255 ? 2 : 5;
    int total = HEADER_SIZE + dataHeader + mainData.length;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(TOT_LEN_OFFSET, total).putInt(XID_OFFSET, xid).putLong(PREV_OFFSET, prev.value())
        .put(INFO_OFFSET, (byte) info).put(RMID_OFFSET, (byte) rmid).position(HEADER_SIZE);
    if (dataHeader == 2) b.put((byte) BLOCK_ID_DATA_SHORT).put((byte) mainData.length);
    if (dataHeader == 5) b.put((byte) BLOCK_ID_DATA_LONG).putInt(mainData.length);
    b.put(mainData);
    b.putInt(CRC_OFFSET, computeCrc(b, b, 0, total, new CRC32C()));
    return b.array();
  }

  /**
   * A block reference to encode: {@code page} is a whole uncompressed page or null for no image; a
   * hole of {@code holeLength} bytes at {@code holeOffset} is left out of it when not 0.
   */
  public record EncodedBlock(RelFileNode rel, int fork, int blockNumber, boolean willInit, byte[] page, int holeOffset, int holeLength,
      boolean apply, byte[] data) {
    public EncodedBlock {
      if (page != null && page.length != BlockImage.PAGE_SIZE) throw new IllegalArgumentException("page of " + page.length + " bytes");
      if (data.length > 0xFFFF) throw new IllegalArgumentException("block data of " + data.length + " bytes");
    }

    int imageLength() {
      return page == null ? 0 : BlockImage.PAGE_SIZE - holeLength;
    }
  }

  /** One record with a single block reference (block id 0) and main data; see {@link #encodeWithBlocks}. */
  public static byte[] encodeWithBlock(int rmid, int info, int xid, Lsn prev, RelFileNode rel, int fork, int blockNumber,
      boolean willInit, byte[] page, int holeOffset, int holeLength, boolean apply, byte[] blockData, byte[] mainData) {
    return encodeWithBlocks(rmid, info, xid, prev,
        List.of(new EncodedBlock(rel, fork, blockNumber, willInit, page, holeOffset, holeLength, apply, blockData)), mainData);
  }

  /**
   * One record with block references 0, 1, … and main data, laid out as XLogRecordAssemble does: the
   * block headers (SAME_REL when a block's relation is the previous one's), the main data header, then
   * each block's image (without its hole) and data, then the main data.
   */
  public static byte[] encodeWithBlocks(int rmid, int info, int xid, Lsn prev, List<EncodedBlock> blocks, byte[] mainData) {
    int dataHeader = mainData.length == 0 ? 0 : mainData.length <= 255 ? 2 : 5;
    int total = HEADER_SIZE + dataHeader + mainData.length;
    RelFileNode lastRel = null;
    for (EncodedBlock k : blocks) {
      total += 4 + (k.page() == null ? 0 : 5) + (k.rel().equals(lastRel) ? 0 : RelFileNode.SIZE) + 4 + k.imageLength() + k.data().length;
      lastRel = k.rel();
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(TOT_LEN_OFFSET, total).putInt(XID_OFFSET, xid).putLong(PREV_OFFSET, prev.value())
        .put(INFO_OFFSET, (byte) info).put(RMID_OFFSET, (byte) rmid).position(HEADER_SIZE);
    lastRel = null;
    for (int id = 0; id < blocks.size(); id++) {
      EncodedBlock k = blocks.get(id);
      boolean sameRel = k.rel().equals(lastRel);
      int flags = (k.fork() & BlockRef.FORK_MASK) | (k.page() != null ? BlockRef.HAS_IMAGE : 0) | (k.data().length > 0 ? BlockRef.HAS_DATA : 0)
          | (k.willInit() ? BlockRef.WILL_INIT : 0) | (sameRel ? BlockRef.SAME_REL : 0);
      b.put((byte) id).put((byte) flags).putShort((short) k.data().length);
      if (k.page() != null) {
        int imageInfo = (k.holeLength() > 0 ? BlockImage.HAS_HOLE : 0) | (k.apply() ? BlockImage.APPLY : 0);
        b.putShort((short) k.imageLength()).putShort((short) (k.holeLength() > 0 ? k.holeOffset() : 0)).put((byte) imageInfo);
      }
      if (!sameRel) b.putInt(k.rel().spcNode()).putInt(k.rel().dbNode()).putInt(k.rel().relNode());
      b.putInt(k.blockNumber());
      lastRel = k.rel();
    }
    if (dataHeader == 2) b.put((byte) BLOCK_ID_DATA_SHORT).put((byte) mainData.length);
    if (dataHeader == 5) b.put((byte) BLOCK_ID_DATA_LONG).putInt(mainData.length);
    for (EncodedBlock k : blocks) {
      if (k.page() != null) {
        int before = k.holeLength() > 0 ? k.holeOffset() : BlockImage.PAGE_SIZE;
        b.put(k.page(), 0, before);
        if (k.holeLength() > 0) b.put(k.page(), k.holeOffset() + k.holeLength(), BlockImage.PAGE_SIZE - k.holeOffset() - k.holeLength());
      }
      b.put(k.data());
    }
    b.put(mainData);
    b.putInt(CRC_OFFSET, computeCrc(b, b, 0, total, new CRC32C()));
    return b.array();
  }

  // Header fields of the record at index base of a little-endian buffer.

  static int xid(ByteBuffer rec, int base) {
    return rec.getInt(base + XID_OFFSET);
  }

  static long prev(ByteBuffer rec, int base) {
    return rec.getLong(base + PREV_OFFSET);
  }

  static int info(ByteBuffer rec, int base) {
    return rec.get(base + INFO_OFFSET) & 0xFF;
  }

  static int rmid(ByteBuffer rec, int base) {
    return rec.get(base + RMID_OFFSET) & 0xFF;
  }

  static boolean isSwitch(ByteBuffer rec, int base) {
    return rmid(rec, base) == RmgrId.XLOG.id() && (info(rec, base) & XLR_RMGR_INFO_MASK) == XLOG_SWITCH;
  }

  /**
   * Checks the CRC of the record at [base, base + len) of rec. For a direct buffer the CRC is fed
   * through {@code cursor}, a duplicate of rec whose position and limit this may move (rec itself
   * is shared with the records handed out, so its own must stay put).
   */
  static void checkCrc(ByteBuffer rec, ByteBuffer cursor, int base, int len, CRC32C crc, long lsn) throws WalFormatException {
    int computed = computeCrc(rec, cursor, base, len, crc);
    int stored = rec.getInt(base + CRC_OFFSET);
    if (computed != stored) {
      throw new WalFormatException(Kind.BAD_CRC, Lsn.of(lsn), String.format("record checksum %08X, computed %08X", stored, computed));
    }
  }

  /** The bytes after the header, then the header up to xl_crc. */
  private static int computeCrc(ByteBuffer rec, ByteBuffer cursor, int base, int len, CRC32C crc) {
    crc.reset();
    if (rec.hasArray()) {
      byte[] a = rec.array();
      int at = rec.arrayOffset() + base;
      crc.update(a, at + HEADER_SIZE, len - HEADER_SIZE);
      crc.update(a, at, CRC_OFFSET);
    } else {
      cursor.limit(base + len).position(base + HEADER_SIZE);
      crc.update(cursor);
      cursor.position(base).limit(base + CRC_OFFSET);
      crc.update(cursor);
    }
    return (int) crc.getValue();
  }

  /** Decodes the record at [base, base + len) of rec, whose length and CRC are verified. */
  static WalRecord decode(ByteBuffer rec, int base, int len, long lsn, long end) throws WalFormatException {
    WalRecord r = new WalRecord(lsn, end, rec, base, len);
    walkHeaders(r, null);
    return r;
  }

  /** The block references of a decoded record, built from its headers (checked when it was decoded). */
  static BlockRef[] blockRefs(WalRecord r) {
    BlockRef[] out = new BlockRef[r.blockCount()];
    try {
      walkHeaders(r, out);
    } catch (WalFormatException e) {
      throw new IllegalStateException("block headers of " + r.lsn() + " were checked when it was decoded", e);
    }
    return out;
  }

  /**
   * Walks the headers after XLogRecord. With {@code out == null} it checks them as PostgreSQL's
   * DecodeXLogRecord does and fills in the record's summary, creating nothing, so records nobody
   * asks for block references of cost no objects; given an array of {@code blockCount} it builds
   * the references.
   */
  static void walkHeaders(WalRecord r, BlockRef[] out) throws WalFormatException {
    ByteBuffer rec = r.buffer();
    long lsn = r.lsnValue();
    int pos = r.base() + HEADER_SIZE;
    long remaining = r.totalLength() - HEADER_SIZE;
    long dataTotal = 0;
    int maxBlockId = -1;
    int origin = WalRecord.INVALID_ORIGIN;
    int toplevelXid = WalRecord.INVALID_XID;
    long mainDataLength = 0;
    int count = 0;
    int fpiLength = 0;
    int relAt = -1;
    int payload = r.payloadOffset;

    while (remaining > dataTotal) {
      if (remaining < 1) throw shortData(lsn);
      // the id and the three bytes after it in one read (bytes past the record read as 0 and fail the length checks)
      int w = remaining >= 4 ? rec.getInt(pos) : littleEndianTail(rec, pos, (int) remaining);
      int id = w & 0xFF;
      pos++;
      remaining--;
      if (id == BLOCK_ID_DATA_SHORT || id == BLOCK_ID_DATA_LONG) {
        int size = id == BLOCK_ID_DATA_SHORT ? 1 : 4;
        if (remaining < size) throw shortData(lsn);
        mainDataLength = size == 1 ? (w >>> 8) & 0xFF : Integer.toUnsignedLong(rec.getInt(pos));
        pos += size;
        remaining -= size;
        dataTotal += mainDataLength;
        break; // main data always comes last
      } else if (id == BLOCK_ID_ORIGIN) {
        if (remaining < 2) throw shortData(lsn);
        origin = (w >>> 8) & 0xFFFF;
        pos += 2;
        remaining -= 2;
      } else if (id == BLOCK_ID_TOPLEVEL_XID) {
        if (remaining < 4) throw shortData(lsn);
        toplevelXid = rec.getInt(pos);
        pos += 4;
        remaining -= 4;
      } else if (id <= MAX_BLOCK_ID) {
        if (id <= maxBlockId) throw badBlock(lsn, "out-of-order block_id " + id);
        maxBlockId = id;
        if (remaining < 3) throw shortData(lsn);
        int forkFlags = (w >>> 8) & 0xFF;
        int dataLength = w >>> 16;
        pos += 3;
        remaining -= 3;
        boolean hasData = (forkFlags & BlockRef.HAS_DATA) != 0;
        if (hasData != (dataLength > 0)) {
          throw badBlock(lsn, "block " + id + ": BKPBLOCK_HAS_DATA " + (hasData ? "set" : "not set") + " but data length " + dataLength);
        }
        dataTotal += dataLength;
        int imageLength = -1;
        int holeOffset = 0;
        int holeLength = 0;
        int imageInfo = 0;
        if ((forkFlags & BlockRef.HAS_IMAGE) != 0) {
          if (remaining < 5) throw shortData(lsn);
          // bimg_len u16 | hole_offset u16 | bimg_info u8 [| hole_length u16]: one read (a block number always follows)
          long v = remaining >= 8 ? rec.getLong(pos) : Integer.toUnsignedLong(rec.getInt(pos)) | (long) (rec.get(pos + 4) & 0xFF) << 32;
          imageLength = (int) v & 0xFFFF;
          holeOffset = (int) (v >>> 16) & 0xFFFF;
          imageInfo = (int) (v >>> 32) & 0xFF;
          pos += 5;
          remaining -= 5;
          boolean compressed = (imageInfo & BlockImage.COMPRESSED) != 0;
          boolean hasHole = (imageInfo & BlockImage.HAS_HOLE) != 0;
          if (compressed && hasHole) {
            if (remaining < 2) throw shortData(lsn);
            holeLength = (int) (v >>> 40) & 0xFFFF;
            pos += 2;
            remaining -= 2;
          } else if (!compressed) {
            holeLength = BlockImage.PAGE_SIZE - imageLength;
          }
          dataTotal += imageLength;
          fpiLength += imageLength;
          checkImage(lsn, id, imageLength, holeOffset, holeLength, compressed, hasHole);
        }
        if ((forkFlags & BlockRef.SAME_REL) == 0) {
          if (remaining < RelFileNode.SIZE) throw shortData(lsn);
          relAt = pos;
          pos += RelFileNode.SIZE;
          remaining -= RelFileNode.SIZE;
        } else if (relAt < 0) {
          throw badBlock(lsn, "block " + id + ": BKPBLOCK_SAME_REL set but no previous relation");
        }
        if (remaining < 4) throw shortData(lsn);
        int blockNumber = rec.getInt(pos);
        pos += 4;
        remaining -= 4;
        if (out != null) {
          BlockImage image = null;
          if (imageLength >= 0) {
            image = new BlockImage(rec, payload, imageLength, holeOffset, holeLength, imageInfo, lsn);
            payload += imageLength;
          }
          out[count] = new BlockRef(id, forkFlags, relAt, blockNumber, rec, payload, dataLength, image);
          payload += dataLength;
        }
        count++;
      } else {
        throw badBlock(lsn, "invalid block_id " + id);
      }
    }
    if (remaining != dataTotal) throw shortData(lsn);
    if (out == null) r.setSummary(pos, (int) mainDataLength, origin, toplevelXid, count, fpiLength);
  }

  /** The 1 to 3 bytes left at pos as a little-endian int, zeros above them. */
  private static int littleEndianTail(ByteBuffer rec, int pos, int n) {
    int w = 0;
    for (int i = 0; i < n; i++) w |= (rec.get(pos + i) & 0xFF) << (8 * i);
    return w;
  }

  private static void checkImage(long lsn, int id, int length, int holeOffset, int holeLength, boolean compressed,
      boolean hasHole) throws WalFormatException {
    String what = null;
    if (hasHole && (holeOffset == 0 || holeLength == 0 || length == BlockImage.PAGE_SIZE)) {
      what = "BKPIMAGE_HAS_HOLE set, but hole offset " + holeOffset + " length " + holeLength + " image length " + length;
    } else if (!hasHole && (holeOffset != 0 || holeLength != 0)) {
      what = "BKPIMAGE_HAS_HOLE not set, but hole offset " + holeOffset + " length " + holeLength;
    } else if (compressed && length == BlockImage.PAGE_SIZE) {
      what = "compressed image of a full " + length + " bytes";
    } else if (!hasHole && !compressed && length != BlockImage.PAGE_SIZE) {
      what = "uncompressed image without hole of " + length + " bytes";
    } else if (holeOffset + holeLength > BlockImage.PAGE_SIZE) {
      what = "hole offset " + holeOffset + " length " + holeLength + " beyond the page";
    }
    if (what != null) throw badBlock(lsn, "block " + id + ": " + what);
  }

  private static WalFormatException shortData(long lsn) {
    return new WalFormatException(Kind.INVALID_RECORD_LENGTH, Lsn.of(lsn),
        "block headers and payload lengths do not add up to xl_tot_len");
  }

  private static WalFormatException badBlock(long lsn, String what) {
    return new WalFormatException(Kind.INVALID_BLOCK_REFERENCE, Lsn.of(lsn), what);
  }
}
