package app.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the timestamps of {@code get_lsn_by_timestamp}: RFC 3339 with {@code T} or a space between
 * date and time and an offset of {@code Z}, {@code +HH}, {@code +HHMM} or {@code +HH:MM}. A {@code +}
 * that reached us as a space (form encoding of an unescaped query) is taken back as {@code +}.
 */
final class Rfc3339 {
  private Rfc3339() {}

  static Instant parse(String text) {
    String s = text.trim();
    s = s.replaceFirst("^(\\d{4}-\\d{2}-\\d{2})[ tT]", "$1T");
    s = s.replaceFirst("(\\d) (\\d{2}(:?\\d{2})?)$", "$1+$2");   // "+00" decoded as " 00"
    s = s.replaceFirst("([+-]\\d{2})$", "$1:00");
    s = s.replaceFirst("([+-]\\d{2})(\\d{2})$", "$1:$2");
    if (s.endsWith("z")) s = s.substring(0, s.length() - 1) + "Z";
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("timestamp '" + text + "' is not RFC 3339 (like 2026-11-22T10:00:00Z)");
    }
  }
}
