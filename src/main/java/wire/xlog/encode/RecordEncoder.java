package wire.xlog.encode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import wire.xlog.Lsn;

/**
 * One WAL record with main data and no block references, as PostgreSQL 15 assembles it: the
 * 24-byte XLogRecord header, then a data header (0xFF and a one-byte length up to 255 bytes, else
 * 0xFE and a four-byte length), then the main data. The CRC-32C covers the bytes after the header
 * first, then the header up to {@code xl_crc}, padding included.
 */
public final class RecordEncoder {
  public static final int HEADER_SIZE = 24;
  private static final int CRC_OFFSET = 20;
  private static final int BLOCK_ID_DATA_SHORT = 0xFF;
  private static final int BLOCK_ID_DATA_LONG = 0xFE;

  private RecordEncoder() {}

  public static byte[] encode(int rmid, int info, int xid, Lsn prev, byte[] mainData) {
    if (rmid < 0 || rmid > 255) throw new IllegalArgumentException("rmgr id out of range: " + rmid);
    if (info < 0 || info > 255) throw new IllegalArgumentException("xl_info out of range: " + info);
    int dataHeader = mainData.length == 0 ? 0 : mainData.length <= 255 ? 2 : 5;
    int total = HEADER_SIZE + dataHeader + mainData.length;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(total).putInt(xid).putLong(prev.value()).put((byte) info).put((byte) rmid).putShort((short) 0).putInt(0);
    if (dataHeader == 2) b.put((byte) BLOCK_ID_DATA_SHORT).put((byte) mainData.length);
    if (dataHeader == 5) b.put((byte) BLOCK_ID_DATA_LONG).putInt(mainData.length);
    b.put(mainData);
    byte[] rec = b.array();
    CRC32C crc = new CRC32C();
    crc.update(rec, HEADER_SIZE, total - HEADER_SIZE);
    crc.update(rec, 0, CRC_OFFSET);
    b.putInt(CRC_OFFSET, (int) crc.getValue());
    return rec;
  }
}
