package wire;

/**
 * Bytes that do not follow their format: a truncated message, an unknown tag, a count or value
 * out of range, a checksum that does not match. It names the format, the field and the value, so
 * that one log line says what was wrong. Checked, because malformed input is expected (a peer, a
 * disk) and every caller has to decide what it means for them.
 */
public final class WireFormatException extends Exception {
  private final String format;
  private final String field;
  private final String value;

  public WireFormatException(String format, String field, Object value, String problem) {
    super(format + ": " + field + " = " + value + ": " + problem);
    this.format = format;
    this.field = field;
    this.value = String.valueOf(value);
  }

  /** The format being read, e.g. {@code pg_control} or {@code sk.VoteResponse}. */
  public String format() {
    return format;
  }

  public String field() {
    return field;
  }

  public String value() {
    return value;
  }
}
