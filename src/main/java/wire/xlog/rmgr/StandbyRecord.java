package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.XLogRecordFormat;

/**
 * Standby records of PostgreSQL 15: the running-transactions snapshot hot standbys start from.
 * Storage takes the oldest running xid from it; AccessExclusive locks and invalidations are {@link Other}.
 */
public sealed interface StandbyRecord {
  int LOCK = 0x00, RUNNING_XACTS = 0x10, INVALIDATIONS = 0x20;

  /** xl_running_xacts: xcnt, subxcnt, subxid_overflow (padded to 4), nextXid, oldestRunningXid, latestCompletedXid. */
  record RunningXacts(int xcnt, int subxcnt, boolean subxidOverflow, int nextXid, int oldestRunningXid,
      int latestCompletedXid) implements StandbyRecord {}

  record Other(int info) implements StandbyRecord {}

  static StandbyRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    if (op != RUNNING_XACTS) return new Other(op);
    FieldReader r = FieldReader.littleEndian("STANDBY RUNNING_XACTS", mainData.duplicate());
    int xcnt = r.i32("xcnt");
    int subxcnt = r.i32("subxcnt");
    boolean overflow = r.bool("subxid_overflow");
    r.skip("padding", 3);
    return new RunningXacts(xcnt, subxcnt, overflow, r.i32("nextXid"), r.i32("oldestRunningXid"),
        r.i32("latestCompletedXid"));
  }
}
