package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;
import wire.pgdata.CheckPoint;
import wire.xlog.XLogRecordFormat;

/** Records of the XLOG rmgr that change what storage tracks; the rest are {@link Other}. */
public sealed interface XlogRecord {
  int CHECKPOINT_SHUTDOWN = 0x00, CHECKPOINT_ONLINE = 0x10, NOOP = 0x20, NEXTOID = 0x30, SWITCH = XLogRecordFormat.XLOG_SWITCH,
      BACKUP_END = 0x50, PARAMETER_CHANGE = 0x60, RESTORE_POINT = 0x70, FPW_CHANGE = 0x80, END_OF_RECOVERY = 0x90,
      FPI_FOR_HINT = 0xA0, FPI = 0xB0, OVERWRITE_CONTRECORD = 0xD0;

  /** A checkpoint; its main data is the 88-byte CheckPoint struct. */
  record Checkpoint(boolean shutdown, CheckPoint checkPoint) implements XlogRecord {}

  /** The OID counter moved; main data is the next OID. */
  record NextOid(int nextOid) implements XlogRecord {}

  /** The rest of the segment is unused; the next record starts in the next segment. */
  record Switch() implements XlogRecord {}

  /** Full-page images only, carried in the block references (no main data). */
  record FullPageImage(boolean forHint) implements XlogRecord {}

  /** A record type storage does not interpret. */
  record Other(int info) implements XlogRecord {}

  /** Parses main data; the buffer's position is not moved. */
  static XlogRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    return switch (op) {
      case CHECKPOINT_SHUTDOWN, CHECKPOINT_ONLINE -> {
        String name = op == CHECKPOINT_SHUTDOWN ? "CHECKPOINT_SHUTDOWN" : "CHECKPOINT_ONLINE";
        if (mainData.remaining() != CheckPoint.SIZE) {
          throw new WireFormatException("XLOG " + name, "main data length", mainData.remaining(),
              "a checkpoint record carries exactly " + CheckPoint.SIZE + " bytes");
        }
        yield new Checkpoint(op == CHECKPOINT_SHUTDOWN, CheckPoint.decode(mainData.duplicate()));
      }
      case NEXTOID -> new NextOid(FieldReader.littleEndian("XLOG NEXTOID", mainData).i32("nextOid"));
      case SWITCH -> new Switch();
      case FPI, FPI_FOR_HINT -> new FullPageImage(op == FPI_FOR_HINT);
      default -> new Other(op);
    };
  }
}
