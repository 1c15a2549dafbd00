package wire.pg;

import java.util.ArrayList;
import java.util.List;

/**
 * The start of a COPY: In (client sends), Out (server sends) or Both (replication streams). All
 * three carry an overall format (0 text, 1 binary) and one format code per column.
 */
public sealed interface CopyResponse extends BackendMessage {
  char IN = 'G';
  char OUT = 'H';
  char BOTH = 'W';

  int format();

  List<Short> columnFormats();

  /** What a walsender sends before streaming: overall format 0, no columns. */
  static CopyBothResponse replicationStream() {
    return new CopyBothResponse(0, List.of());
  }

  static CopyResponse decode(char type, byte[] body) throws ProtocolException {
    String name = type == IN ? "CopyInResponse" : type == OUT ? "CopyOutResponse" : "CopyBothResponse";
    MessageReader r = new MessageReader(body, name);
    int format = r.int8("format") & 0xff;
    int n = r.int16("column count") & 0xffff;
    List<Short> formats = new ArrayList<>(Math.min(n, r.remaining() / 2 + 1));
    for (int i = 0; i < n; i++) formats.add(r.int16("column format"));
    r.end();
    if (format > 1) throw r.malformed("format " + format + " is neither text (0) nor binary (1)");
    return switch (type) {
      case IN -> new CopyInResponse(format, formats);
      case OUT -> new CopyOutResponse(format, formats);
      default -> new CopyBothResponse(format, formats);
    };
  }

  private static byte[] encode(char type, int format, List<Short> formats) {
    MessageWriter w = MessageWriter.typed(type).int8(format).int16(formats.size());
    formats.forEach(f -> w.int16(f));
    return w.finish();
  }

  record CopyInResponse(int format, List<Short> columnFormats) implements CopyResponse {
    public CopyInResponse { columnFormats = List.copyOf(columnFormats); }
    @Override public byte[] encode() { return CopyResponse.encode(IN, format, columnFormats); }
  }

  record CopyOutResponse(int format, List<Short> columnFormats) implements CopyResponse {
    public CopyOutResponse { columnFormats = List.copyOf(columnFormats); }
    @Override public byte[] encode() { return CopyResponse.encode(OUT, format, columnFormats); }
  }

  record CopyBothResponse(int format, List<Short> columnFormats) implements CopyResponse {
    public CopyBothResponse { columnFormats = List.copyOf(columnFormats); }
    @Override public byte[] encode() { return CopyResponse.encode(BOTH, format, columnFormats); }
  }
}
