package actors.pageserver;

/**
 * Every failure a pageserver client can cause, with its SQLSTATE for PostgreSQL-protocol replies
 * and its HTTP status for JSON replies: the one table of that mapping.
 */
public enum PsError {
  UNKNOWN_TENANT("42704", 404),
  UNKNOWN_TIMELINE("42704", 404),
  TENANT_EXISTS("42710", 409),
  TIMELINE_EXISTS("42710", 409),
  CREATION_IN_PROGRESS("55006", 429),
  HAS_CHILDREN("55000", 412),
  NO_SUCH_RELATION("42P01", 404),
  LSN_TIMEOUT("57014", 504),
  BAD_LSN("22023", 406),
  BELOW_GC_CUTOFF("22023", 406),
  REFUSED_IMPORT("22023", 400),
  BAD_REQUEST("22023", 400),
  MALFORMED("08P01", 400),
  REDO_FAILED("XX001", 500),
  STORAGE("58030", 500);

  private final String sqlState;
  private final int httpStatus;

  PsError(String sqlState, int httpStatus) {
    this.sqlState = sqlState;
    this.httpStatus = httpStatus;
  }

  public String sqlState() {
    return sqlState;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public Failure failure(String message) {
    return new Failure(this, message);
  }

  /** A failure as an exception, so it can travel through futures. */
  public static final class Failure extends RuntimeException {
    private final PsError kind;

    public Failure(PsError kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }

    public PsError kind() {
      return kind;
    }
  }

  /** The failure behind an exception from a future: typed ones as they are, the rest as storage errors. */
  public static Failure of(Throwable t) {
    Throwable e = t;
    while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof Failure f) return f;
    if (e instanceof LsnWaiter.LsnTimeout) return LSN_TIMEOUT.failure(e.getMessage());
    if (e instanceof store.pgdatadir.Datadir.NoSuchRelation) return NO_SUCH_RELATION.failure(e.getMessage());
    if (e instanceof store.redo.RedoException || e instanceof store.redo.ReconstructFailed
        || e.getCause() instanceof store.redo.ReconstructFailed) {
      return REDO_FAILED.failure(e.getMessage());
    }
    return STORAGE.failure(e.getClass().getSimpleName() + ": " + e.getMessage());
  }
}
