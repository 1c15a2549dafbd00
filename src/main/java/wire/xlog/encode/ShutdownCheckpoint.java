package wire.xlog.encode;

import java.util.List;
import wire.pgdata.CheckPoint;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.XLogRecordFormat;
import wire.xlog.rmgr.XlogRecord;

/**
 * The XLOG_CHECKPOINT_SHUTDOWN record that lets a vanilla PostgreSQL 15 start with no recovery at a
 * chosen LSN X (start-at-lsn.md): 114 bytes (24 header + 2 data header + 88 CheckPoint), xid 0,
 * rmgr XLOG, info 0x00, with {@code redo = X}. The same CheckPoint bytes go into pg_control.
 */
public final class ShutdownCheckpoint {
  public static final int RECORD_LENGTH = 114;

  private ShutdownCheckpoint() {}

  /** The record bytes; {@code prev} is the start of the record before it in the stream. */
  public static byte[] record(CheckPoint checkpoint, Lsn prev) {
    return XLogRecordFormat.encode(RmgrId.XLOG.id(), XlogRecord.CHECKPOINT_SHUTDOWN, 0, prev, checkpoint.encode());
  }

  /**
   * Segment files holding the record at {@code checkpoint.redo()} with zeros before it (and the
   * next segment too if the record crosses into it).
   */
  public static List<WalStreamEncoder.Segment> segmentsWithZeroPrefix(WalIdentity id, CheckPoint checkpoint, Lsn prev) {
    Lsn x = checkpoint.redo();
    checkPrev(x, prev);
    WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(id, x);
    wal.append(record(checkpoint, prev));
    return wal.segments();
  }

  /**
   * Segment files continuing real WAL: {@code existing} are the real bytes from {@code from} (a
   * page start) up to X = {@code checkpoint.redo()}, whose last record starts at {@code prev}. A
   * reader goes from the old records across X without a break.
   */
  public static List<WalStreamEncoder.Segment> segmentsContinuing(WalIdentity id, CheckPoint checkpoint, Lsn prev,
      Lsn from, byte[] existing) {
    Lsn x = checkpoint.redo();
    checkPrev(x, prev);
    WalStreamEncoder wal = WalStreamEncoder.continuing(id, from, existing);
    if (!wal.nextRecordStart().equals(x)) {
      throw new IllegalArgumentException("the existing WAL ends where the next record starts at " + wal.nextRecordStart()
          + ", but the checkpoint's redo is " + x);
    }
    wal.append(record(checkpoint, prev));
    return wal.segments();
  }

  private static void checkPrev(Lsn x, Lsn prev) {
    if (!prev.isBefore(x)) throw new IllegalArgumentException("xl_prev " + prev + " must be before the record at " + x);
  }
}
