package wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads named fields from a ByteBuffer and turns running out of bytes into a
 * {@link WireFormatException} that names the field, instead of a BufferUnderflowException. The
 * byte order is the buffer's; formats set it once when they wrap their input.
 */
public final class FieldReader {
  private final String format;
  private final ByteBuffer buf;

  public FieldReader(String format, ByteBuffer buf) {
    this.format = format;
    this.buf = buf;
  }

  public static FieldReader bigEndian(String format, ByteBuffer buf) {
    return new FieldReader(format, buf.slice().order(ByteOrder.BIG_ENDIAN));
  }

  public static FieldReader littleEndian(String format, ByteBuffer buf) {
    return new FieldReader(format, buf.slice().order(ByteOrder.LITTLE_ENDIAN));
  }

  public String format() {
    return format;
  }

  public int remaining() {
    return buf.remaining();
  }

  public int position() {
    return buf.position();
  }

  private void need(String field, int n) throws WireFormatException {
    if (buf.remaining() < n) {
      throw new WireFormatException(format, field, "(missing)",
          "needs " + n + " bytes at offset " + buf.position() + ", only " + buf.remaining() + " left");
    }
  }

  public int u8(String field) throws WireFormatException {
    need(field, 1);
    return buf.get() & 0xFF;
  }

  public int u16(String field) throws WireFormatException {
    need(field, 2);
    return buf.getShort() & 0xFFFF;
  }

  /** A 32-bit field as a Java int (callers treat it as unsigned where the format says so). */
  public int i32(String field) throws WireFormatException {
    need(field, 4);
    return buf.getInt();
  }

  public long u32(String field) throws WireFormatException {
    return i32(field) & 0xFFFF_FFFFL;
  }

  public long i64(String field) throws WireFormatException {
    need(field, 8);
    return buf.getLong();
  }

  public boolean bool(String field) throws WireFormatException {
    int v = u8(field);
    if (v > 1) throw new WireFormatException(format, field, v, "a boolean must be 0 or 1");
    return v == 1;
  }

  public byte[] bytes(String field, int n) throws WireFormatException {
    if (n < 0) throw new WireFormatException(format, field, n, "negative length");
    need(field, n);
    byte[] out = new byte[n];
    buf.get(out);
    return out;
  }

  public void skip(String field, int n) throws WireFormatException {
    need(field, n);
    buf.position(buf.position() + n);
  }

  /** A NUL-terminated UTF-8 string; the NUL is consumed. */
  public String cstring(String field) throws WireFormatException {
    int start = buf.position();
    for (int i = start; i < buf.limit(); i++) {
      if (buf.get(i) == 0) {
        byte[] text = new byte[i - start];
        buf.get(text);
        buf.get();
        return new String(text, StandardCharsets.UTF_8);
      }
    }
    throw new WireFormatException(format, field, "(unterminated)", "no NUL before the end of the input at offset " + start);
  }

  /** A count of items that each take at least {@code minItemBytes}: refuses counts the input cannot hold. */
  public int count(String field, int minItemBytes) throws WireFormatException {
    long n = u32(field);
    if (n * Math.max(1, minItemBytes) > buf.remaining()) {
      throw new WireFormatException(format, field, n,
          "count needs at least " + n * Math.max(1, minItemBytes) + " bytes, only " + buf.remaining() + " left");
    }
    return (int) n;
  }

  /** Fails when bytes are left over after a message that has no trailing part. */
  public void end() throws WireFormatException {
    if (buf.hasRemaining()) {
      throw new WireFormatException(format, "(end)", buf.remaining() + " bytes", "unexpected trailing bytes");
    }
  }

  public WireFormatException error(String field, Object value, String problem) {
    return new WireFormatException(format, field, value, problem);
  }
}
