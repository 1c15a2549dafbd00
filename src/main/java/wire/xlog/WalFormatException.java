package wire.xlog;

/**
 * WAL bytes that do not follow PostgreSQL's format. The kind says what was wrong and the LSN where
 * it was found, so callers can tell a torn tail from corruption and log one precise line.
 */
public final class WalFormatException extends Exception {
  /** What was wrong; each kind matches a check PostgreSQL's own WAL reader makes. */
  public enum Kind {
    INVALID_PAGE_HEADER,
    /** xl_tot_len is 0: the bytes after the last record are zeros, PostgreSQL's usual end of WAL. */
    END_OF_WAL,
    INVALID_RECORD_LENGTH,
    RECORD_TOO_LONG,
    INVALID_RMGR,
    BAD_PREV_LINK,
    BAD_CRC,
    MISSING_CONTRECORD,
    UNEXPECTED_CONTRECORD,
    INVALID_CONTRECORD_LENGTH,
    INVALID_BLOCK_REFERENCE,
    UNKNOWN_COMPRESSION,
    BAD_COMPRESSED_IMAGE
  }

  private final Kind kind;
  private final Lsn lsn;

  public WalFormatException(Kind kind, Lsn lsn, String detail) {
    super(kind.name().toLowerCase().replace('_', ' ') + " at " + lsn + ": " + detail);
    this.kind = kind;
    this.lsn = lsn;
  }

  public Kind kind() {
    return kind;
  }

  /** Where the problem was found: the page, or the start of the record. */
  public Lsn lsn() {
    return lsn;
  }
}
