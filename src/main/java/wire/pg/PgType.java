package wire.pg;

/** The built-in types Strata's servers return, with PostgreSQL's OIDs and sizes (pg_type.dat). */
public enum PgType {
  BOOL(16, 1), BYTEA(17, -1), INT8(20, 8), INT2(21, 2), INT4(23, 4), TEXT(25, -1), OID(26, 4),
  FLOAT8(701, 8), VARCHAR(1043, -1), TIMESTAMPTZ(1184, 8), PG_LSN(3220, 8);

  public final int oid;
  public final short size;

  PgType(int oid, int size) {
    this.oid = oid;
    this.size = (short) size;
  }
}
