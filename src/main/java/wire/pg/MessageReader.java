package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounds-checked cursor over one message body. Every read names the field it wanted, so a
 * short body becomes {@code truncated <Message> <field>} instead of an unchecked exception.
 */
public final class MessageReader {
  private final byte[] body;
  private final String message;
  private int pos;

  public MessageReader(byte[] body, String message) {
    this.body = body;
    this.message = message;
  }

  public int remaining() {
    return body.length - pos;
  }

  public boolean hasRemaining() {
    return pos < body.length;
  }

  private void need(int n, String field) throws ProtocolException {
    if (n < 0 || remaining() < n) throw new ProtocolException(new ProtocolError.Truncated(message, field));
  }

  public byte int8(String field) throws ProtocolException {
    need(1, field);
    return body[pos++];
  }

  public short int16(String field) throws ProtocolException {
    need(2, field);
    short v = (short) (((body[pos] & 0xff) << 8) | (body[pos + 1] & 0xff));
    pos += 2;
    return v;
  }

  public int int32(String field) throws ProtocolException {
    need(4, field);
    int v = ((body[pos] & 0xff) << 24) | ((body[pos + 1] & 0xff) << 16) | ((body[pos + 2] & 0xff) << 8) | (body[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  public long int64(String field) throws ProtocolException {
    long hi = int32(field) & 0xffffffffL;
    long lo = int32(field) & 0xffffffffL;
    return (hi << 32) | lo;
  }

  /** A NUL-terminated UTF-8 string. */
  public String cstring(String field) throws ProtocolException {
    int end = pos;
    while (end < body.length && body[end] != 0) end++;
    if (end == body.length) throw new ProtocolException(new ProtocolError.Truncated(message, field));
    String s = new String(body, pos, end - pos, StandardCharsets.UTF_8);
    pos = end + 1;
    return s;
  }

  /** {@code n} bytes; {@code n} was read from the peer, so it is checked before anything is allocated. */
  public byte[] bytes(int n, String field) throws ProtocolException {
    need(n, field);
    byte[] out = Arrays.copyOfRange(body, pos, pos + n);
    pos += n;
    return out;
  }

  /** Everything not read yet. */
  public byte[] rest() {
    byte[] out = Arrays.copyOfRange(body, pos, body.length);
    pos = body.length;
    return out;
  }

  /** Fails when bytes are left over: a body longer than its fields is as wrong as a short one. */
  public void end() throws ProtocolException {
    if (hasRemaining()) {
      throw new ProtocolException(new ProtocolError.Malformed(message, remaining() + " unexpected trailing bytes"));
    }
  }

  public ProtocolException malformed(String problem) {
    return new ProtocolException(new ProtocolError.Malformed(message, problem));
  }
}
