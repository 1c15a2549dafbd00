package wire.pg;

import java.util.List;
import wire.xlog.Lsn;

/**
 * The row IDENTIFY_SYSTEM returns, with the column types a walsender uses: systemid text,
 * timeline int4, xlogpos text (X/Y), dbname text (NULL on a physical replication connection).
 */
public record IdentifySystemResult(String systemId, int timeline, Lsn xlogpos, String dbname) {
  public static final RowDescription DESCRIPTION = RowDescription.of(
      RowDescription.Field.text("systemid", PgType.TEXT),
      RowDescription.Field.text("timeline", PgType.INT4),
      RowDescription.Field.text("xlogpos", PgType.TEXT),
      RowDescription.Field.text("dbname", PgType.TEXT));
  public static final String TAG = "IDENTIFY_SYSTEM";

  public List<BackendMessage> toMessages() {
    DataRow row = DataRow.ofText(systemId, Integer.toString(timeline), xlogpos.toString(), dbname);
    return ResultSets.of(DESCRIPTION, List.of(row), TAG);
  }

  /** Reads the row a server sent; checks the column count and the values' formats. */
  public static IdentifySystemResult fromRow(DataRow row) throws ProtocolException {
    if (row.values().size() != 4) throw malformed("expected 4 columns, got " + row.values().size());
    if (row.text(0) == null || row.text(1) == null || row.text(2) == null) throw malformed("NULL in systemid, timeline or xlogpos");
    try {
      return new IdentifySystemResult(row.text(0), Integer.parseInt(row.text(1)), Lsn.parse(row.text(2)), row.text(3));
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage());
    }
  }

  private static ProtocolException malformed(String problem) {
    return new ProtocolException(new ProtocolError.Malformed("IDENTIFY_SYSTEM result", problem));
  }
}
