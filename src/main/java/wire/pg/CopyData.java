package wire.pg;

import java.util.Arrays;

/** A chunk of a COPY stream, in either direction; replication messages travel inside it. */
public record CopyData(byte[] data) implements FrontendMessage, BackendMessage {
  public static final char TYPE = 'd';

  /** Takes ownership of {@code data}: CopyData carries WAL, so it is not copied on the hot path. */
  public CopyData {
    java.util.Objects.requireNonNull(data, "data");
  }

  /** The frame header of a CopyData message whose data is {@code dataLength} bytes: a writer may send the data after it without building the message. */
  public static byte[] header(int dataLength) {
    int len = 4 + dataLength;
    return new byte[] {(byte) TYPE, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).bytes(data).finish(); }
  @Override public boolean equals(Object o) { return o instanceof CopyData c && Arrays.equals(data, c.data); }
  @Override public int hashCode() { return Arrays.hashCode(data); }
  @Override public String toString() { return "CopyData[" + data.length + " bytes]"; }
}
