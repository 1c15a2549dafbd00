package store.pgdatadir;

import wire.xlog.WalRecord;

/** A WAL record ingest cannot interpret: bad main data, an image that does not decompress, an unsupported relation. */
public final class InvalidWalRecord extends Exception {
  public InvalidWalRecord(WalRecord rec, String problem, Throwable cause) {
    super("WAL record at " + rec.lsn() + " (" + rec.rmgrName() + String.format(" info=0x%02X", rec.info()) + "): " + problem,
        cause);
  }

  public InvalidWalRecord(WalRecord rec, String problem) {
    this(rec, problem, null);
  }
}
