package wire.pgdata;

/**
 * One fork of one relation: tablespace, database and relfilenode OIDs (unsigned 32-bit, held in
 * ints) and the fork. Shared catalogs live in the global tablespace with database 0.
 */
public record RelTag(int spcNode, int dbNode, int relNode, ForkNumber fork) {
  public static final int DEFAULT_TABLESPACE_OID = 1663;
  public static final int GLOBAL_TABLESPACE_OID = 1664;

  public RelTag {
    if (fork == null) throw new IllegalArgumentException("fork is required");
  }

  public RelTag withFork(ForkNumber other) {
    return new RelTag(spcNode, dbNode, relNode, other);
  }

  @Override
  public String toString() {
    return Integer.toUnsignedString(spcNode) + "/" + Integer.toUnsignedString(dbNode) + "/"
        + Integer.toUnsignedString(relNode) + "." + fork.shortName();
  }
}
