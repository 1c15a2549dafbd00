package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import java.util.Arrays;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.XLogRecordFormat;

/** A new {@code pg_filenode.map} for a database (dbId 0 and the global tablespace: the shared map). */
public record RelmapRecord(int dbId, int tsId, byte[] data) {
  public static final int UPDATE = 0x00;

  public static RelmapRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    if ((info & XLogRecordFormat.XLR_RMGR_INFO_MASK) != UPDATE) {
      throw new WireFormatException("RELMAP", "info", String.format("0x%02X", info), "unknown relmap record type");
    }
    FieldReader r = FieldReader.littleEndian("RELMAP UPDATE", mainData);
    int dbId = r.i32("dbid");
    int tsId = r.i32("tsid");
    int nbytes = r.i32("nbytes");
    if (nbytes < 0 || nbytes > r.remaining()) throw r.error("nbytes", nbytes, "the record has " + r.remaining() + " bytes of data");
    return new RelmapRecord(dbId, tsId, r.bytes("data", nbytes));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelmapRecord m && dbId == m.dbId && tsId == m.tsId && Arrays.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dbId + tsId) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "RelmapRecord[dbId=" + Integer.toUnsignedString(dbId) + ", tsId=" + Integer.toUnsignedString(tsId)
        + ", nbytes=" + data.length + "]";
  }
}
