package wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Appends big-endian (network order) fields to a growable buffer; the counterpart of {@link FieldReader}. */
public final class FieldWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

  public FieldWriter u8(int v) {
    out.write(v);
    return this;
  }

  public FieldWriter u16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  public FieldWriter u32(long v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.write((int) (v >>> shift));
    return this;
  }

  public FieldWriter u64(long v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.write((int) (v >>> shift));
    return this;
  }

  public FieldWriter bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  /** UTF-8 text and a NUL; text containing NUL cannot be represented. */
  public FieldWriter cstring(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (byte x : b) if (x == 0) throw new IllegalArgumentException("a C string cannot contain NUL: '" + s + "'");
    out.writeBytes(b);
    out.write(0);
    return this;
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }
}
