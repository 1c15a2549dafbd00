package store.pgdatadir;

import java.io.IOException;
import wire.xlog.Lsn;

/**
 * A basebackup that cannot be made as asked. All but {@link Inconsistent} are found before the first
 * tar byte; an {@code Inconsistent} found mid-stream leaves a tar without pg_control, which no
 * server starts from.
 */
public class BasebackupException extends IOException {
  private BasebackupException(String message) {
    super(message);
  }

  /** L puts the checkpoint record where no WAL record can start (inside a page header). */
  public static final class NotARecordStart extends BasebackupException {
    public NotARecordStart(Lsn requested, Lsn recordStart) {
      super("basebackup LSN " + requested + ": a checkpoint record cannot start at " + recordStart
          + " (inside a WAL page header)");
    }
  }

  /** A key every data directory has is missing at L: the control file or the checkpoint. */
  public static final class MissingState extends BasebackupException {
    public MissingState(String what, Lsn lsn) {
      super("no " + what + " at LSN " + lsn + ": the timeline has no data there");
    }
  }

  public static final class SystemIdMismatch extends BasebackupException {
    public SystemIdMismatch(long requested, long stored) {
      super("system identifier " + Long.toUnsignedString(requested) + " requested, but pg_control holds "
          + Long.toUnsignedString(stored));
    }
  }

  /** The known previous record does not lie before the checkpoint record. */
  public static final class PrevNotBefore extends BasebackupException {
    public PrevNotBefore(Lsn prev, Lsn recordStart) {
      super("previous record LSN " + prev + " is not before the checkpoint record at " + recordStart);
    }
  }

  /** Relations in a tablespace other than pg_default and pg_global. */
  public static final class UnsupportedTablespace extends BasebackupException {
    public UnsupportedTablespace(int spc, int db) {
      super("tablespace " + Integer.toUnsignedString(spc) + " (database " + Integer.toUnsignedString(db)
          + ") holds relations; only pg_default and pg_global are supported");
    }
  }

  /** The WAL source returned bytes that are not the stream at the range asked for. */
  public static final class BadWalPrefix extends BasebackupException {
    public BadWalPrefix(Lsn from, Lsn to, String why) {
      super("WAL prefix [" + from + ", " + to + "): " + why);
    }
  }

  /** The key space lists something whose value is missing or malformed. */
  public static final class Inconsistent extends BasebackupException {
    public Inconsistent(String what, Lsn lsn) {
      super(what + " at LSN " + lsn);
    }
  }
}
