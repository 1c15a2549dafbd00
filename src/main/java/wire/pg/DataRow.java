package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** One row; a null element is SQL NULL. Values are in the format the RowDescription announced. */
public record DataRow(List<byte[]> values) implements BackendMessage {
  public static final char TYPE = 'D';

  public DataRow {
    values = Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** A text-format row; null strings become NULL. */
  public static DataRow ofText(String... values) {
    List<byte[]> out = new ArrayList<>(values.length);
    for (String v : values) out.add(v == null ? null : v.getBytes(StandardCharsets.UTF_8));
    return new DataRow(out);
  }

  /** Column {@code i} as text, or null for NULL. */
  public String text(int i) {
    byte[] v = values.get(i);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  static DataRow decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "DataRow");
    int n = r.int16("column count") & 0xffff;
    List<byte[]> values = new ArrayList<>(Math.min(n, r.remaining() / 4 + 1));
    for (int i = 0; i < n; i++) {
      int len = r.int32("value length");
      if (len < -1) throw r.malformed("value length " + len);
      values.add(len == -1 ? null : r.bytes(len, "value"));
    }
    r.end();
    return new DataRow(values);
  }

  @Override public byte[] encode() {
    MessageWriter w = MessageWriter.typed(TYPE).int16(values.size());
    for (byte[] v : values) {
      if (v == null) w.int32(-1);
      else w.int32(v.length).bytes(v);
    }
    return w.finish();
  }

  @Override public boolean equals(Object o) {
    if (!(o instanceof DataRow d) || d.values.size() != values.size()) return false;
    for (int i = 0; i < values.size(); i++) if (!Arrays.equals(values.get(i), d.values.get(i))) return false;
    return true;
  }

  @Override public int hashCode() {
    int h = 1;
    for (byte[] v : values) h = h * 31 + Arrays.hashCode(v);
    return h;
  }

  @Override public String toString() {
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) shown.add(values.get(i) == null ? "NULL" : text(i));
    return "DataRow" + shown;
  }
}
