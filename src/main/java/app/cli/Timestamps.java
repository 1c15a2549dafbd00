package app.cli;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --at} timestamps of the command line: RFC 3339 ({@code 2026-11-22T10:00:00Z}) and what
 * psql prints for a {@code timestamptz} ({@code 2026-11-22 10:00:00.123+00}), always with an offset,
 * since a time without a zone names no single instant.
 */
final class Timestamps {
  // date, 'T' or a space, time with optional fraction, then Z or an offset as +HH, +HHMM or +HH:MM
  private static final Pattern SHAPE = Pattern.compile(
      "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?)");

  private Timestamps() {}

  /** The instant as RFC 3339 (what the pageserver's get_lsn_by_timestamp takes), or an IllegalArgumentException naming the text. */
  static String toRfc3339(String text) {
    Matcher m = SHAPE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("timestamp '" + text + "' is not like 2026-11-22T10:00:00Z or 2026-11-22 10:00:00+00 "
          + "(an offset or Z is required)");
    }
    String time = m.group(2).length() == 5 ? m.group(2) + ":00" : m.group(2);
    String offset = m.group(3).toUpperCase(java.util.Locale.ROOT);
    if (!offset.equals("Z")) {
      String digits = offset.substring(1).replace(":", "");
      offset = offset.charAt(0) + digits.substring(0, 2) + ":" + (digits.length() == 4 ? digits.substring(2) : "00");
    }
    try {
      return OffsetDateTime.parse(m.group(1) + "T" + time + offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("timestamp '" + text + "' is not a valid date and time: " + e.getMessage());
    }
  }
}
