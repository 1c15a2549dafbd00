package actors.safekeeper;

/**
 * Every failure a safekeeper client can cause, with its SQLSTATE for PostgreSQL-protocol replies
 * and its HTTP status for JSON replies: the one table of that mapping.
 */
public enum SkError {
  UNKNOWN_TIMELINE("42704", 404),
  TIMELINE_EXISTS("42710", 409),
  IDENTITY_MISMATCH("42P17", 409),
  VERSION_MISMATCH("0A000", 409),
  SEGMENT_SIZE_MISMATCH("0A000", 409),
  GENERATION_MISMATCH("08P01", 409),
  STALE_TERM("40001", 409),
  APPEND_BEFORE_ELECTION("08P01", 409),
  OUT_OF_ORDER_APPEND("08P01", 409),
  UNEXPECTED_TRUNCATION("40001", 409),
  MALFORMED("08P01", 400),
  BAD_REQUEST("22023", 400),
  STORAGE("58030", 500);

  private final String sqlState;
  private final int httpStatus;

  SkError(String sqlState, int httpStatus) {
    this.sqlState = sqlState;
    this.httpStatus = httpStatus;
  }

  public String sqlState() {
    return sqlState;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** A refusal naming what was wrong; the connection that caused it is closed. */
  public record Failure(SkError kind, String message) {}

  public Failure failure(String message) {
    return new Failure(this, message);
  }
}
