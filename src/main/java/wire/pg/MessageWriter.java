package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one message: optional type byte, a length word patched in by {@link #finish()}, then the
 * body. Encoding our own records cannot fail except on programming errors (a NUL inside a string).
 */
public final class MessageWriter {
  private byte[] buf = new byte[64];
  private int len;
  private final int lengthAt;

  private MessageWriter(char type, boolean lengthWord) {
    if (type != 0) buf[len++] = (byte) type;
    lengthAt = lengthWord ? len : -1;
    if (lengthWord) len += 4;
  }

  /** A regular message with a type byte. */
  public static MessageWriter typed(char type) {
    return new MessageWriter(type, true);
  }

  /** A startup-phase packet: length word first, no type byte. */
  public static MessageWriter untyped() {
    return new MessageWriter((char) 0, true);
  }

  /** Bare bytes with no length word, e.g. a payload inside CopyData. */
  public static MessageWriter raw() {
    return new MessageWriter((char) 0, false);
  }

  private void ensure(int n) {
    if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
  }

  public MessageWriter int8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public MessageWriter int16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public MessageWriter int32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public MessageWriter int64(long v) {
    int32((int) (v >>> 32));
    return int32((int) v);
  }

  public MessageWriter bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  public MessageWriter cstring(String s) {
    if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("string contains NUL: " + s);
    bytes(s.getBytes(StandardCharsets.UTF_8));
    return int8(0);
  }

  /** The finished message with its length word filled in. */
  public byte[] finish() {
    if (lengthAt < 0) return Arrays.copyOf(buf, len);
    int length = len - lengthAt;
    buf[lengthAt] = (byte) (length >>> 24);
    buf[lengthAt + 1] = (byte) (length >>> 16);
    buf[lengthAt + 2] = (byte) (length >>> 8);
    buf[lengthAt + 3] = (byte) length;
    return Arrays.copyOf(buf, len);
  }
}
