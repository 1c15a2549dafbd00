package wire.pgdata;

/** A relation's physical identity: tablespace, database and relfilenode OIDs (unsigned 32-bit in ints). */
public record RelFileNode(int spcNode, int dbNode, int relNode) {
  /** Bytes of the C struct in WAL records: three OIDs. */
  public static final int SIZE = 12;

  public RelTag fork(ForkNumber fork) {
    return new RelTag(spcNode, dbNode, relNode, fork);
  }

  /** {@code spc/db/rel} with unsigned decimal numbers, as pg_waldump prints it. */
  @Override
  public String toString() {
    return Integer.toUnsignedString(spcNode) + "/" + Integer.toUnsignedString(dbNode) + "/" + Integer.toUnsignedString(relNode);
  }
}
