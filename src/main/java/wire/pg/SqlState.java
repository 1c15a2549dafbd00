package wire.pg;

/** The SQLSTATE codes Strata's servers answer with (PostgreSQL's errcodes.txt). */
public final class SqlState {
  private SqlState() {}

  public static final String SUCCESSFUL_COMPLETION = "00000";
  public static final String PROTOCOL_VIOLATION = "08P01";
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  public static final String INVALID_AUTHORIZATION = "28000";
  public static final String INVALID_PASSWORD = "28P01";
  public static final String SYNTAX_ERROR = "42601";
  public static final String UNDEFINED_OBJECT = "42704";
  public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
  public static final String INTERNAL_ERROR = "XX000";
}
