package wire.xlog.rmgr;

/**
 * PostgreSQL 15 resource manager ids ({@code xl_rmid}) and the info-byte masks every rmgr shares.
 * The low four bits of {@code xl_info} belong to the WAL machinery; rmgrs use the high four.
 */
public final class RmgrIds {
  public static final int XLOG = 0, XACT = 1, SMGR = 2, CLOG = 3, DBASE = 4, TBLSPC = 5, MULTIXACT = 6, RELMAP = 7,
      STANDBY = 8, HEAP2 = 9, HEAP = 10, BTREE = 11, HASH = 12, GIN = 13, GIST = 14, SEQ = 15, SPGIST = 16, BRIN = 17,
      COMMIT_TS = 18, REPLORIGIN = 19, GENERIC = 20, LOGICALMSG = 21;

  /** Bits of xl_info reserved for the WAL machinery (XLR_INFO_MASK). */
  public static final int XLR_INFO_MASK = 0x0F;
  /** Bits of xl_info an rmgr uses for its record type. */
  public static final int XLR_RMGR_INFO_MASK = 0xF0;

  private static final String[] NAMES = {"XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace",
      "MultiXact", "RelMap", "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN",
      "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage"};

  private RmgrIds() {}

  /** The name {@code pg_waldump --rmgr=list} prints, or null for an unknown id. */
  public static String name(int rmid) {
    return rmid >= 0 && rmid < NAMES.length ? NAMES[rmid] : null;
  }
}
