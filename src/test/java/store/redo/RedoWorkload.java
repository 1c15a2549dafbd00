package store.redo;

import testkit.PageMasking;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import testkit.PostgresFixture;
import wire.xlog.Lsn;
import wire.pgdata.RelFileNode;
import wire.xlog.WalRecord;

/**
 * Test helper: runs SQL on a real PostgreSQL 15 (full_page_writes on, no autovacuum), ends with a
 * CHECKPOINT, and returns the WAL it wrote, decoded, together with the data files of the named
 * relations as they were after the checkpoint.
 */
public final class RedoWorkload {
  /** A relation's identity and its main and VM forks as read from disk (vm is empty when absent). */
  public record Relation(RelFileNode node, byte[] main, byte[] vm) {
    public int blocks() {
      return main.length / PageMasking.PAGE;
    }

    public byte[] block(byte[] fork, int blkno) {
      byte[] page = new byte[PageMasking.PAGE];
      System.arraycopy(fork, blkno * PageMasking.PAGE, page, 0, PageMasking.PAGE);
      return page;
    }
  }

  public record Result(List<WalRecord> wal, Map<String, Relation> relations) {
    public Relation relation(String name) {
      return relations.get(name);
    }
  }

  /** A statement that is run through COPY FROM STDIN with the given rows. */
  public record Copy(String sql, String rows) {}

  private RedoWorkload() {}

  public static Result run(List<Object> statements, List<String> relationNames) throws SQLException, IOException, wire.xlog.WalFormatException {
    try (PostgresFixture pg = PostgresFixture.builder()
        .set("wal_level", "replica")
        .set("full_page_writes", "on")
        .set("autovacuum", "off")
        .set("wal_keep_size", "'1GB'")
        .start();
        Connection c = pg.connect();
        Statement st = c.createStatement()) {
      Lsn start = lsn(st, "select pg_current_wal_insert_lsn()");
      for (Object s : statements) {
        if (s instanceof Copy copy) {
          new CopyManager(c.unwrap(BaseConnection.class)).copyIn(copy.sql(), new StringReader(copy.rows()));
        } else {
          st.execute((String) s);
        }
      }
      st.execute("checkpoint");
      Lsn end = lsn(st, "select pg_current_wal_flush_lsn()");
      List<WalRecord> wal = SourceWal.decode(pg.dataDir().resolve("pg_wal"), start, end);
      Map<String, Relation> relations = new HashMap<>();
      for (String name : relationNames) relations.put(name, relation(c, pg.dataDir(), name));
      return new Result(wal, relations);
    }
  }

  private static Relation relation(Connection c, Path dataDir, String name) throws SQLException, IOException {
    try (PreparedStatement ps = c.prepareStatement(
        "select coalesce(nullif(r.reltablespace, 0), d.dattablespace)::int8, d.oid::int8, pg_relation_filenode(r.oid)::int8, "
            + "pg_relation_filepath(r.oid) from pg_class r, pg_database d where r.relname = ? and d.datname = current_database()")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new IllegalArgumentException("no relation " + name);
        RelFileNode node = new RelFileNode((int) rs.getLong(1), (int) rs.getLong(2), (int) rs.getLong(3));
        Path main = dataDir.resolve(rs.getString(4));
        Path vm = main.resolveSibling(main.getFileName() + "_vm");
        return new Relation(node, Files.readAllBytes(main), Files.exists(vm) ? Files.readAllBytes(vm) : new byte[0]);
      }
    }
  }

  private static Lsn lsn(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }
}
