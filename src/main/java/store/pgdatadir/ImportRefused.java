package store.pgdatadir;

import java.nio.file.Path;

/** A data directory that cannot be imported; the message says which rule it breaks and the value found. */
public final class ImportRefused extends Exception {
  /** Which rule the directory breaks. */
  public enum Reason {
    /** pg_control says the server did not stop with a shutdown checkpoint. */
    NOT_SHUT_DOWN_CLEANLY,
    /** PG_VERSION, pg_control's version or its catalog version is not PostgreSQL 15's. */
    NOT_POSTGRES_15,
    /** Data checksums differ between the directory and the tenant. */
    CHECKSUMS_MISMATCH,
    /** Something Strata does not store, such as tablespaces. */
    UNSUPPORTED,
    /** A file is missing, cut short or fails its CRC. */
    CORRUPT
  }

  private final Reason reason;

  public ImportRefused(Reason reason, Path dataDir, String detail) {
    super("cannot import " + dataDir + ": " + detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
