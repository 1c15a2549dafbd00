package wire.pg;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;

/**
 * A bounds-checked cursor over one message body, in network byte order. The reading is
 * {@link FieldReader}'s; this class only turns its failures into this protocol's error, so a short
 * body becomes {@code truncated <Message> <field>} and the connection gets an ErrorResponse.
 */
public final class MessageReader {
  private final FieldReader fields;
  private final String message;

  public MessageReader(byte[] body, String message) {
    this.fields = FieldReader.bigEndian(message, ByteBuffer.wrap(body));
    this.message = message;
  }

  public int remaining() {
    return fields.remaining();
  }

  public boolean hasRemaining() {
    return fields.remaining() > 0;
  }

  public byte int8(String field) throws ProtocolException {
    return read(field, r -> (byte) r.u8(field));
  }

  public short int16(String field) throws ProtocolException {
    return read(field, r -> (short) r.u16(field));
  }

  public int int32(String field) throws ProtocolException {
    return read(field, r -> r.i32(field));
  }

  public long int64(String field) throws ProtocolException {
    return read(field, r -> r.i64(field));
  }

  /** A NUL-terminated UTF-8 string. */
  public String cstring(String field) throws ProtocolException {
    return read(field, r -> r.cstring(field));
  }

  /** {@code n} bytes; {@code n} was read from the peer, so it is checked before anything is allocated. */
  public byte[] bytes(int n, String field) throws ProtocolException {
    return read(field, r -> r.bytes(field, n));
  }

  /** Everything not read yet. */
  public byte[] rest() {
    try {
      return fields.bytes("(rest)", fields.remaining());
    } catch (WireFormatException e) {
      throw new IllegalStateException("the remaining bytes are always there", e);
    }
  }

  /** Fails when bytes are left over: a body longer than its fields is as wrong as a short one. */
  public void end() throws ProtocolException {
    if (hasRemaining()) throw malformed(remaining() + " unexpected trailing bytes");
  }

  public ProtocolException malformed(String problem) {
    return new ProtocolException(new ProtocolError.Malformed(message, problem));
  }

  private interface Read<T> {
    T from(FieldReader r) throws WireFormatException;
  }

  /** Every FieldReader failure on a read means the body ended before the field did. */
  private <T> T read(String field, Read<T> read) throws ProtocolException {
    try {
      return read.from(fields);
    } catch (WireFormatException e) {
      throw new ProtocolException(new ProtocolError.Truncated(message, field));
    }
  }
}
