package wire.xlog;

import java.nio.ByteBuffer;
import wire.xlog.WalFormatException.Kind;

/**
 * The checks PostgreSQL's reader makes of a record's length, its header and the pages that continue
 * it (xlogreader.c's ValidXLogRecordHeader and contrecord tests), shared by the decoder and the
 * record-end walk so both refuse the same WAL with the same message.
 */
final class RecordChecks {
  private RecordChecks() {}

  static void length(long recordLsn, long totalLength, long maxRecordLength) throws WalFormatException {
    if (totalLength == 0) {
      throw new WalFormatException(Kind.END_OF_WAL, Lsn.of(recordLsn), "xl_tot_len is 0, no record follows");
    }
    if (totalLength < XLogRecordFormat.HEADER_SIZE) {
      throw new WalFormatException(Kind.INVALID_RECORD_LENGTH, Lsn.of(recordLsn),
          "wanted " + XLogRecordFormat.HEADER_SIZE + ", got " + totalLength);
    }
    if (totalLength > maxRecordLength) {
      throw new WalFormatException(Kind.RECORD_TOO_LONG, Lsn.of(recordLsn),
          "xl_tot_len " + totalLength + " exceeds the limit of " + maxRecordLength);
    }
  }

  /** Resource manager id and prev-link; {@code prevKnown} false: the prev-link need only point back. */
  static void header(ByteBuffer header, int base, long recordLsn, boolean prevKnown, long prevRecord) throws WalFormatException {
    int rmid = XLogRecordFormat.rmid(header, base);
    if (!RmgrId.isValid(rmid)) {
      throw new WalFormatException(Kind.INVALID_RMGR, Lsn.of(recordLsn), "resource manager id " + rmid);
    }
    long prev = XLogRecordFormat.prev(header, base);
    boolean ok = prevKnown ? prev == prevRecord : Long.compareUnsigned(prev, recordLsn) < 0;
    if (!ok) {
      throw new WalFormatException(Kind.BAD_PREV_LINK, Lsn.of(recordLsn),
          "xl_prev " + Lsn.of(prev) + (prevKnown ? ", expected " + Lsn.of(prevRecord) : " is not before the record"));
    }
  }

  /** A page that must continue the record at {@code recordLsn}, of which {@code left} bytes remain. */
  static void continuation(WalPageHeader h, long pageLsn, long recordLsn, long left) throws WalFormatException {
    if (!h.continuesRecord()) {
      throw new WalFormatException(Kind.MISSING_CONTRECORD, Lsn.of(pageLsn),
          "record at " + Lsn.of(recordLsn) + " continues here but the page has no contrecord flag");
    }
    if (h.remLen() != left) {
      throw new WalFormatException(Kind.INVALID_CONTRECORD_LENGTH, Lsn.of(pageLsn),
          "contrecord length " + h.remLen() + ", expected " + left + " for the record at " + Lsn.of(recordLsn));
    }
  }
}
