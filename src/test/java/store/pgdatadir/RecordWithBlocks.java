package store.pgdatadir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;
import wire.xlog.WalRecord;
import wire.xlog.XLogRecordFormat;

/**
 * Test helper: a PostgreSQL 15 WAL record with block references, laid out as XLogRecordAssemble
 * does — XLogRecord header, block headers (with an uncompressed image header when there is an
 * image), the main-data header, image and block data, main data — and its CRC-32C.
 */
final class RecordWithBlocks {
  private record Block(RelTag rel, int blkno, int flags, byte[] image, int holeOffset, int holeLength) {}

  private final List<Block> blocks = new ArrayList<>();

  /** A reference without an image; flags are BKPBLOCK_* bits above the fork. */
  RecordWithBlocks block(RelTag rel, int blkno, int flags) {
    blocks.add(new Block(rel, blkno, flags, null, 0, 0));
    return this;
  }

  /** A reference with an applied, uncompressed image of {@code page} leaving out [holeOffset, holeOffset+holeLength). */
  RecordWithBlocks image(RelTag rel, int blkno, byte[] page, int holeOffset, int holeLength) {
    byte[] stored = new byte[8192 - holeLength];
    System.arraycopy(page, 0, stored, 0, holeOffset);
    System.arraycopy(page, holeOffset + holeLength, stored, holeOffset, 8192 - holeOffset - holeLength);
    blocks.add(new Block(rel, blkno, 0x10, stored, holeOffset, holeLength));
    return this;
  }

  WalRecord build(int rmid, int info, int xid, byte[] mainData, Lsn lsn, Lsn end) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      ByteBuffer h = le(4 + (b.image != null ? 5 : 0) + 12 + 4);
      h.put((byte) i).put((byte) (b.rel.fork().ordinal() | b.flags)).putShort((short) 0);
      if (b.image != null) {
        int bimgInfo = 0x02 | (b.holeLength > 0 ? 0x01 : 0); // APPLY, HAS_HOLE
        h.putShort((short) b.image.length).putShort((short) b.holeOffset).put((byte) bimgInfo);
      }
      h.putInt(b.rel.spcNode()).putInt(b.rel.dbNode()).putInt(b.rel.relNode()).putInt(b.blkno);
      body.writeBytes(h.array());
    }
    body.write(255);
    body.write(mainData.length);
    for (Block b : blocks) if (b.image != null) body.writeBytes(b.image);
    body.writeBytes(mainData);
    byte[] payload = body.toByteArray();
    int total = XLogRecordFormat.HEADER_SIZE + payload.length;
    ByteBuffer rec = le(total);
    rec.putInt(total).putInt(xid).putLong(lsn.value() - 0x40).put((byte) info).put((byte) rmid).putShort((short) 0).putInt(0);
    rec.put(payload);
    CRC32C crc = new CRC32C();
    crc.update(rec.array(), XLogRecordFormat.HEADER_SIZE, payload.length);
    crc.update(rec.array(), 0, 20);
    rec.putInt(20, (int) crc.getValue());
    return XLogRecordFormat.parse(ByteBuffer.wrap(rec.array()), lsn, end);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
