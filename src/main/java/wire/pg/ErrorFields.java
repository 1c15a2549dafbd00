package wire.pg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of ErrorResponse and NoticeResponse: fields by code, in wire order. Codes not in
 * {@link ErrorField} are kept, so a proxy can pass them on unchanged.
 */
public record ErrorFields(Map<Character, String> fields) {
  public ErrorFields {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public static ErrorFields error(String sqlState, String message) {
    return of("ERROR", sqlState, message);
  }

  /** FATAL: the server closes the connection after sending it. */
  public static ErrorFields fatal(String sqlState, String message) {
    return of("FATAL", sqlState, message);
  }

  public static ErrorFields of(String severity, String sqlState, String message) {
    Map<Character, String> m = new LinkedHashMap<>();
    m.put(ErrorField.SEVERITY.code, severity);
    m.put(ErrorField.SEVERITY_NONLOCALIZED.code, severity);
    m.put(ErrorField.SQLSTATE.code, sqlState);
    m.put(ErrorField.MESSAGE.code, message);
    return new ErrorFields(m);
  }

  /** A copy with one more field (or a replaced one). */
  public ErrorFields with(ErrorField field, String value) {
    Map<Character, String> m = new LinkedHashMap<>(fields);
    m.put(field.code, value);
    return new ErrorFields(m);
  }

  public String get(ErrorField field) {
    return fields.get(field.code);
  }

  public String severity() { return get(ErrorField.SEVERITY); }
  public String sqlState() { return get(ErrorField.SQLSTATE); }
  public String message() { return get(ErrorField.MESSAGE); }
  public String detail() { return get(ErrorField.DETAIL); }
  public String hint() { return get(ErrorField.HINT); }

  static ErrorFields decode(byte[] body, String message) throws ProtocolException {
    MessageReader r = new MessageReader(body, message);
    Map<Character, String> m = new LinkedHashMap<>();
    for (byte code = r.int8("field"); code != 0; code = r.int8("field")) {
      m.put((char) (code & 0xff), r.cstring("field"));
    }
    r.end();
    return new ErrorFields(m);
  }

  byte[] encode(char type) {
    MessageWriter w = MessageWriter.typed(type);
    fields.forEach((code, value) -> w.int8(code).cstring(value));
    return w.int8(0).finish();
  }

  /** One line as psql prints it with VERBOSITY verbose: {@code ERROR:  42601: message}. */
  @Override public String toString() {
    return severity() + ":  " + sqlState() + ": " + message() + (detail() != null ? " (" + detail() + ")" : "");
  }
}
