package wire.pg;

import java.util.ArrayList;
import java.util.List;

/** Builds the messages of a small text-format result set: RowDescription, DataRows, CommandComplete. */
public final class ResultSets {
  private ResultSets() {}

  /** A whole result; the tag is the CommandComplete text ("SELECT 1", "SHOW", "IDENTIFY_SYSTEM"). */
  public static List<BackendMessage> of(RowDescription description, List<DataRow> rows, String tag) {
    for (DataRow row : rows) {
      if (row.values().size() != description.fields().size()) {
        throw new IllegalArgumentException("row has " + row.values().size() + " values for " + description.fields().size() + " columns");
      }
    }
    List<BackendMessage> out = new ArrayList<>(rows.size() + 2);
    out.add(description);
    out.addAll(rows);
    out.add(new CommandComplete(tag));
    return out;
  }

  /** One text column, one row: the answer to SHOW. */
  public static List<BackendMessage> single(String column, PgType type, String value, String tag) {
    return of(RowDescription.of(RowDescription.Field.text(column, type)), List.of(DataRow.ofText(value)), tag);
  }

  /** The answer to a SELECT with these rows, tagged "SELECT n" as PostgreSQL does. */
  public static List<BackendMessage> select(RowDescription description, List<DataRow> rows) {
    return of(description, rows, "SELECT " + rows.size());
  }
}
