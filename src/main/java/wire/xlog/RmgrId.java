package wire.xlog;

/**
 * Resource manager ids of PostgreSQL 15 (access/rmgrlist.h), named exactly as
 * {@code pg_waldump --rmgr=list} prints them. Ids 128..255 are custom resource managers.
 */
public enum RmgrId {
  XLOG("XLOG"),
  XACT("Transaction"),
  SMGR("Storage"),
  CLOG("CLOG"),
  DBASE("Database"),
  TBLSPC("Tablespace"),
  MULTIXACT("MultiXact"),
  RELMAP("RelMap"),
  STANDBY("Standby"),
  HEAP2("Heap2"),
  HEAP("Heap"),
  BTREE("Btree"),
  HASH("Hash"),
  GIN("Gin"),
  GIST("Gist"),
  SEQ("Sequence"),
  SPGIST("SPGist"),
  BRIN("BRIN"),
  COMMIT_TS("CommitTs"),
  REPLORIGIN("ReplicationOrigin"),
  GENERIC("Generic"),
  LOGICALMSG("LogicalMessage");

  public static final int MIN_CUSTOM_ID = 128;
  private static final RmgrId[] BY_ID = values();

  private final String displayName;

  RmgrId(String displayName) {
    this.displayName = displayName;
  }

  /** The id stored in xl_rmid. */
  public int id() {
    return ordinal();
  }

  public String displayName() {
    return displayName;
  }

  /** The built-in rmgr with this id, or null for custom and invalid ids. */
  public static RmgrId of(int rmid) {
    return rmid >= 0 && rmid < BY_ID.length ? BY_ID[rmid] : null;
  }

  /** Whether PostgreSQL 15 accepts this xl_rmid: built-in or custom. */
  public static boolean isValid(int rmid) {
    return (rmid >= 0 && rmid < BY_ID.length) || (rmid >= MIN_CUSTOM_ID && rmid <= 255);
  }

  /** The name pg_waldump prints: the built-in name, or {@code custom###} for custom ids. */
  public static String nameOf(int rmid) {
    RmgrId known = of(rmid);
    return known != null ? known.displayName : String.format("custom%03d", rmid);
  }
}
