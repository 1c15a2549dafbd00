package wire.pgdata;

/**
 * Where a relation's pages live: tablespace, database and relfilenode OIDs (PostgreSQL's
 * {@code RelFileNode}). OIDs are unsigned 32-bit values held in ints; {@link #toString()} prints
 * them unsigned, as {@code spc/db/rel}.
 */
public record RelTag(int spcOid, int dbOid, int relNode) {
  /** Fork numbers, as in PostgreSQL's {@code ForkNumber}. */
  public static final int MAIN_FORK = 0;
  public static final int FSM_FORK = 1;
  public static final int VM_FORK = 2;
  public static final int INIT_FORK = 3;

  @Override
  public String toString() {
    return Integer.toUnsignedString(spcOid) + "/" + Integer.toUnsignedString(dbOid) + "/" + Integer.toUnsignedString(relNode);
  }

  /** {@code spc/db/rel.fork.blk}, as {@code strata waldump} prints block references. */
  public String block(int fork, int blkno) {
    return this + "." + forkName(fork) + "." + Integer.toUnsignedString(blkno);
  }

  public static String forkName(int fork) {
    return switch (fork) {
      case MAIN_FORK -> "main";
      case FSM_FORK -> "fsm";
      case VM_FORK -> "vm";
      case INIT_FORK -> "init";
      default -> "fork" + fork;
    };
  }
}
