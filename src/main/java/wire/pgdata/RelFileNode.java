package wire.pgdata;

import java.nio.ByteBuffer;

/** A relation's physical identity: tablespace, database and relfilenode OIDs (unsigned 32-bit in ints). */
public record RelFileNode(int spcNode, int dbNode, int relNode) {
  /** Bytes of the C struct in WAL records: three OIDs. */
  public static final int SIZE = 12;

  /** The struct at an absolute index of a buffer in its byte order (little-endian in WAL). */
  public static RelFileNode at(ByteBuffer buf, int index) {
    return new RelFileNode(buf.getInt(index), buf.getInt(index + 4), buf.getInt(index + 8));
  }

  public RelTag fork(ForkNumber fork) {
    return new RelTag(spcNode, dbNode, relNode, fork);
  }

  /** {@code spc/db/rel} with unsigned decimal numbers, as pg_waldump prints it. */
  @Override
  public String toString() {
    return Integer.toUnsignedString(spcNode) + "/" + Integer.toUnsignedString(dbNode) + "/" + Integer.toUnsignedString(relNode);
  }
}
