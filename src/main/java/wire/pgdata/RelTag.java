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

  /** The relation without its fork. */
  public RelFileNode node() {
    return new RelFileNode(spcNode, dbNode, relNode);
  }

  /** {@code spc/db/rel.fork}, as Strata's dump prints block references. */
  @Override
  public String toString() {
    return node() + "." + fork.shortName();
  }
}
