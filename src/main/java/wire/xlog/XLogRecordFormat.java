package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
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
    if (rec.limit() < HEADER_SIZE || Integer.toUnsignedLong(rec.getInt(0)) != rec.limit()) {
      throw new WalFormatException(Kind.INVALID_RECORD_LENGTH, lsn,
          "buffer of " + rec.limit() + " bytes" + (rec.limit() >= 4 ? " but xl_tot_len " + Integer.toUnsignedString(rec.getInt(0)) : ""));
    }
    if (!RmgrId.isValid(rmid(rec))) {
      throw new WalFormatException(Kind.INVALID_RMGR, lsn, "resource manager id " + rmid(rec));
    }
    checkCrc(rec, new CRC32C(), lsn.value());
    return decode(rec, lsn.value(), end.value());
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
    b.putInt(CRC_OFFSET, computeCrc(b, new CRC32C()));
    return b.array();
  }

  static int rmid(ByteBuffer rec) {
    return rec.get(RMID_OFFSET) & 0xFF;
  }

  static long prev(ByteBuffer rec) {
    return rec.getLong(PREV_OFFSET);
  }

  static boolean isSwitch(ByteBuffer rec) {
    return rmid(rec) == RmgrId.XLOG.id() && ((rec.get(INFO_OFFSET) & XLR_RMGR_INFO_MASK) == XLOG_SWITCH);
  }

  static void checkCrc(ByteBuffer rec, CRC32C crc, long lsn) throws WalFormatException {
    int computed = computeCrc(rec, crc);
    int stored = rec.getInt(CRC_OFFSET);
    if (computed != stored) {
      throw new WalFormatException(Kind.BAD_CRC, Lsn.of(lsn), String.format("record checksum %08X, computed %08X", stored, computed));
    }
  }

  /** The CRC-32C of a record of rec.limit() bytes: the bytes after the header, then the header up to xl_crc. */
  private static int computeCrc(ByteBuffer rec, CRC32C crc) {
    crc.reset();
    int len = rec.limit();
    if (rec.hasArray()) {
      byte[] a = rec.array();
      int base = rec.arrayOffset();
      crc.update(a, base + HEADER_SIZE, len - HEADER_SIZE);
      crc.update(a, base, CRC_OFFSET);
    } else {
      // direct buffers: walk position and limit instead of slicing, then put them back
      rec.limit(len).position(HEADER_SIZE);
      crc.update(rec);
      rec.position(0).limit(CRC_OFFSET);
      crc.update(rec);
      rec.limit(len).position(0);
    }
    return (int) crc.getValue();
  }

  // Per-block header fields, kept in a reusable int array until the payload offsets are known.
  private static final int F_ID = 0;
  private static final int F_FORK_FLAGS = 1;
  private static final int F_BLOCK = 2;
  private static final int F_DATA_LENGTH = 3;
  private static final int F_IMAGE_LENGTH = 4; // -1: no image
  private static final int F_HOLE_OFFSET = 5;
  private static final int F_HOLE_LENGTH = 6;
  private static final int F_IMAGE_INFO = 7;
  private static final int FIELDS = 8;

  /** Scratch space for {@link #decode(ByteBuffer, long, long, int[], RelFileNode[])}: one decoder, one scratch. */
  static int[] newBlockScratch() {
    return new int[(MAX_BLOCK_ID + 1) * FIELDS];
  }

  static WalRecord decode(ByteBuffer rec, long lsn, long end) throws WalFormatException {
    return decode(rec, lsn, end, newBlockScratch(), new RelFileNode[MAX_BLOCK_ID + 1]);
  }

  /** Decodes a record whose length and CRC are verified; rec is little-endian, index 0 = start. */
  static WalRecord decode(ByteBuffer rec, long lsn, long end, int[] heads, RelFileNode[] rels) throws WalFormatException {
    int total = rec.limit();
    int pos = HEADER_SIZE;
    long remaining = total - HEADER_SIZE;
    long dataTotal = 0;
    int maxBlockId = -1;
    int origin = WalRecord.INVALID_ORIGIN;
    int toplevelXid = WalRecord.INVALID_XID;
    long mainDataLength = 0;
    RelFileNode lastRel = null;
    int count = 0;

    while (remaining > dataTotal) {
      if (remaining < 1) throw shortData(lsn);
      int id = rec.get(pos) & 0xFF;
      pos++;
      remaining--;
      if (id == BLOCK_ID_DATA_SHORT || id == BLOCK_ID_DATA_LONG) {
        int size = id == BLOCK_ID_DATA_SHORT ? 1 : 4;
        if (remaining < size) throw shortData(lsn);
        mainDataLength = size == 1 ? rec.get(pos) & 0xFF : Integer.toUnsignedLong(rec.getInt(pos));
        pos += size;
        remaining -= size;
        dataTotal += mainDataLength;
        break; // main data always comes last
      } else if (id == BLOCK_ID_ORIGIN) {
        if (remaining < 2) throw shortData(lsn);
        origin = Short.toUnsignedInt(rec.getShort(pos));
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
        int forkFlags = rec.get(pos) & 0xFF;
        int dataLength = Short.toUnsignedInt(rec.getShort(pos + 1));
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
          imageLength = Short.toUnsignedInt(rec.getShort(pos));
          holeOffset = Short.toUnsignedInt(rec.getShort(pos + 2));
          imageInfo = rec.get(pos + 4) & 0xFF;
          pos += 5;
          remaining -= 5;
          boolean compressed = (imageInfo & BlockImage.COMPRESSED) != 0;
          boolean hasHole = (imageInfo & BlockImage.HAS_HOLE) != 0;
          if (compressed && hasHole) {
            if (remaining < 2) throw shortData(lsn);
            holeLength = Short.toUnsignedInt(rec.getShort(pos));
            pos += 2;
            remaining -= 2;
          } else if (!compressed) {
            holeLength = BlockImage.PAGE_SIZE - imageLength;
          }
          dataTotal += imageLength;
          checkImage(lsn, id, imageLength, holeOffset, holeLength, compressed, hasHole);
        }
        RelFileNode rel;
        if ((forkFlags & BlockRef.SAME_REL) == 0) {
          if (remaining < RelFileNode.SIZE) throw shortData(lsn);
          rel = new RelFileNode(rec.getInt(pos), rec.getInt(pos + 4), rec.getInt(pos + 8));
          pos += RelFileNode.SIZE;
          remaining -= RelFileNode.SIZE;
        } else if (lastRel == null) {
          throw badBlock(lsn, "block " + id + ": BKPBLOCK_SAME_REL set but no previous relation");
        } else {
          rel = lastRel;
        }
        lastRel = rel;
        if (remaining < 4) throw shortData(lsn);
        int blockNumber = rec.getInt(pos);
        pos += 4;
        remaining -= 4;
        int f = count * FIELDS;
        heads[f + F_ID] = id;
        heads[f + F_FORK_FLAGS] = forkFlags;
        heads[f + F_BLOCK] = blockNumber;
        heads[f + F_DATA_LENGTH] = dataLength;
        heads[f + F_IMAGE_LENGTH] = imageLength;
        heads[f + F_HOLE_OFFSET] = holeOffset;
        heads[f + F_HOLE_LENGTH] = holeLength;
        heads[f + F_IMAGE_INFO] = imageInfo;
        rels[count++] = rel;
      } else {
        throw badBlock(lsn, "invalid block_id " + id);
      }
    }
    if (remaining != dataTotal) throw shortData(lsn);

    int payload = pos;
    BlockRef[] out = new BlockRef[count];
    for (int i = 0; i < count; i++) {
      int f = i * FIELDS;
      BlockImage image = null;
      int imageLength = heads[f + F_IMAGE_LENGTH];
      if (imageLength >= 0) {
        image = new BlockImage(rec, payload, imageLength, heads[f + F_HOLE_OFFSET], heads[f + F_HOLE_LENGTH],
            heads[f + F_IMAGE_INFO], lsn);
        payload += imageLength;
      }
      out[i] = new BlockRef(heads[f + F_ID], heads[f + F_FORK_FLAGS], rels[i], heads[f + F_BLOCK], rec, payload,
          heads[f + F_DATA_LENGTH], image);
      payload += heads[f + F_DATA_LENGTH];
    }
    List<BlockRef> blocks = switch (count) {
      case 0 -> List.of();
      case 1 -> List.of(out[0]);
      case 2 -> List.of(out[0], out[1]);
      default -> Collections.unmodifiableList(Arrays.asList(out));
    };
    return new WalRecord(lsn, end, rec, rec.getInt(XID_OFFSET), prev(rec), rec.get(INFO_OFFSET) & 0xFF, rmid(rec), blocks,
        payload, (int) mainDataLength, origin, toplevelXid);
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
