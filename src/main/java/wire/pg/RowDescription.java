package wire.pg;

import java.util.ArrayList;
import java.util.List;

/** The columns of the rows that follow. */
public record RowDescription(List<Field> fields) implements BackendMessage {
  public static final char TYPE = 'T';

  public RowDescription {
    fields = List.copyOf(fields);
  }

  /** One column: name, originating table and attribute (0 if none), type, and text (0) or binary (1) format. */
  public record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize, int typeModifier,
                      short format) {
    /** A computed text-format column of a built-in type. */
    public static Field text(String name, PgType type) {
      return new Field(name, 0, (short) 0, type.oid, type.size, -1, (short) 0);
    }
  }

  public static RowDescription of(Field... fields) {
    return new RowDescription(List.of(fields));
  }

  static RowDescription decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "RowDescription");
    int n = r.int16("field count") & 0xffff;
    List<Field> fields = new ArrayList<>(Math.min(n, r.remaining() / 19 + 1));
    for (int i = 0; i < n; i++) {
      fields.add(new Field(r.cstring("field name"), r.int32("table oid"), r.int16("column number"), r.int32("type oid"),
          r.int16("type size"), r.int32("type modifier"), r.int16("format code")));
    }
    r.end();
    return new RowDescription(fields);
  }

  @Override public byte[] encode() {
    MessageWriter w = MessageWriter.typed(TYPE).int16(fields.size());
    for (Field f : fields) {
      w.cstring(f.name).int32(f.tableOid).int16(f.columnNumber).int32(f.typeOid).int16(f.typeSize)
          .int32(f.typeModifier).int16(f.format);
    }
    return w.finish();
  }
}
