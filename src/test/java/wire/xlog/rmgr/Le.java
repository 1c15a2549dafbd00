package wire.xlog.rmgr;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds little-endian main data the way the C structs lay it out, for parser tests. */
final class Le {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Le u8(int v) {
    out.write(v);
    return this;
  }

  Le u16(int v) {
    return u8(v).u8(v >>> 8);
  }

  Le u32(int v) {
    return u16(v).u16(v >>> 16);
  }

  Le u64(long v) {
    return u32((int) v).u32((int) (v >>> 32));
  }

  Le zeros(int n) {
    out.writeBytes(new byte[n]);
    return this;
  }

  Le bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  byte[] array() {
    return out.toByteArray();
  }

  ByteBuffer buf() {
    return ByteBuffer.wrap(array());
  }
}
