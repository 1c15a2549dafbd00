package wire.xlog;

/** A relation's storage identity: tablespace, database and relfilenode OIDs (unsigned 32-bit). */
public record RelFileNode(int spcNode, int dbNode, int relNode) {
  /** {@code spc/db/rel} with unsigned decimal numbers, as pg_waldump prints it. */
  @Override
  public String toString() {
    return Integer.toUnsignedString(spcNode) + "/" + Integer.toUnsignedString(dbNode) + "/" + Integer.toUnsignedString(relNode);
  }
}
