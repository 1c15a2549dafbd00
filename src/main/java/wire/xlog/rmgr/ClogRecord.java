package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.XLogRecordFormat;

/** pg_xact records: a page is zeroed before first use, or segments before a page are removed. */
public sealed interface ClogRecord {
  int ZEROPAGE = 0x00, TRUNCATE = 0x10;

  record ZeroPage(int pageno) implements ClogRecord {}

  /** xl_clog_truncate: the oldest page kept, and the new oldest xid and its database. */
  record Truncate(int pageno, int oldestXact, int oldestXactDb) implements ClogRecord {}

  static ClogRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    if (op == ZEROPAGE) return new ZeroPage(FieldReader.littleEndian("CLOG ZEROPAGE", mainData).i32("pageno"));
    if (op == TRUNCATE) {
      FieldReader r = FieldReader.littleEndian("CLOG TRUNCATE", mainData);
      return new Truncate(r.i32("pageno"), r.i32("oldestXact"), r.i32("oldestXactDb"));
    }
    throw new WireFormatException("CLOG", "info", String.format("0x%02X", info), "unknown CLOG record type");
  }
}
