package testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import wire.pgdata.RelFileNode;
import wire.pgdata.RelTag;

/**
 * Which access method each relfilenode of a cluster belongs to, read from pg_class and pg_am of
 * every database that accepts connections (a hot standby answers too), so that pages are masked
 * by what they are. Relations it does not know (template0, or created after the query) fall back
 * to {@link PageKind#detect}.
 */
public final class RelationKinds {
  /** The catalog facts masking needs: pg_am.amname (null when none) and pg_class.relkind. */
  public record Entry(String amname, char relkind) {}

  private static final String QUERY =
      "select case when c.relisshared then 1664 else coalesce(nullif(c.reltablespace, 0), d.dattablespace) end::int8,"
      + " case when c.relisshared then 0 else d.oid end::int8, pg_relation_filenode(c.oid)::int8, c.relkind, a.amname"
      + " from pg_class c left join pg_am a on a.oid = c.relam"
      + " join pg_database d on d.datname = current_database()"
      + " where pg_relation_filenode(c.oid) is not null";

  private final Map<RelFileNode, Entry> entries;

  private RelationKinds(Map<RelFileNode, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** Knows nothing: every page kind is detected from the page. */
  public static RelationKinds none() {
    return new RelationKinds(Map.of());
  }

  /** Queries every database of the server on 127.0.0.1:{@code port} as {@code user}. */
  public static RelationKinds query(int port, String user) throws SQLException {
    Map<RelFileNode, Entry> out = new HashMap<>();
    List<String> databases = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url(port, "postgres", user));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select datname from pg_database where datallowconn order by oid")) {
      while (rs.next()) databases.add(rs.getString(1));
    }
    for (String db : databases) {
      try (Connection c = DriverManager.getConnection(url(port, db, user));
           Statement s = c.createStatement();
           ResultSet rs = s.executeQuery(QUERY)) {
        while (rs.next()) {
          RelFileNode node = new RelFileNode((int) rs.getLong(1), (int) rs.getLong(2), (int) rs.getLong(3));
          out.put(node, new Entry(rs.getString(5), rs.getString(4).charAt(0)));
        }
      }
    }
    return new RelationKinds(out);
  }

  /** Queries a fixture's server as its superuser. */
  public static RelationKinds query(PostgresFixture pg) throws SQLException {
    return query(pg.port(), PostgresFixture.SUPERUSER);
  }

  /** The catalog entry of a relation, or null when it was not seen. */
  public Entry entry(RelTag rel) {
    return entries.get(rel.node());
  }

  public int size() {
    return entries.size();
  }

  /** The kind of a page of {@code rel}: from the catalog when known, else from the page itself. */
  public PageKind kindOf(RelTag rel, byte[] page) {
    Entry e = entries.get(rel.node());
    PageKind k = e == null ? PageKind.UNKNOWN : PageKind.of(rel.fork(), e.amname(), e.relkind());
    return k != PageKind.UNKNOWN ? k : PageKind.detect(rel.fork(), page);
  }

  private static String url(int port, String db, String user) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=" + user;
  }
}
