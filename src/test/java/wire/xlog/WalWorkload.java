package wire.xlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import testkit.PostgresFixture;

/**
 * Real PostgreSQL 15 WAL for the wire.xlog tests: a varied workload (index types, updates,
 * deletes, vacuum, databases of both strategies, truncate, sequences, two-phase commit with DDL,
 * subtransactions, shared row locks, relation map updates, TOAST, checkpoints, a segment switch,
 * and page images compressed with pglz, lz4 and zstd), and a copy of the segment files holding it.
 */
public final class WalWorkload {
  /** The copied segment files, the LSN the first one starts at, and the flushed end of WAL. */
  public record Result(Path walDir, List<Path> segments, Lsn start, Lsn end) {
    public byte[] readAll() throws IOException {
      long total = 0;
      for (Path p : segments) total += Files.size(p);
      byte[] all = new byte[Math.toIntExact(total)];
      int at = 0;
      for (Path p : segments) {
        byte[] b = Files.readAllBytes(p);
        System.arraycopy(b, 0, all, at, b.length);
        at += b.length;
      }
      return all;
    }
  }

  private WalWorkload() {}

  /** A server configured for the workload ({@link #run} needs prepared transactions). */
  public static PostgresFixture.Builder server() {
    return PostgresFixture.builder()
        .set("wal_level", "replica")
        .set("max_prepared_transactions", "10")
        .set("wal_keep_size", "'1GB'");
  }

  /** Runs the workload on a server of its own, which is gone when this returns. */
  public static Result runOnNewServer(Path copyTo) throws Exception {
    try (PostgresFixture pg = server().start()) {
      return run(pg, copyTo);
    }
  }

  /** Needs {@code max_prepared_transactions} above 0. */
  public static Result run(PostgresFixture pg, Path copyTo) throws SQLException, IOException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      for (String sql : STATEMENTS) st.execute(sql);
      subtransactions(c);
      sharedRowLocks(pg);
      st.execute("select pg_switch_wal()");
      for (String method : List.of("pglz", "lz4", "zstd")) {
        st.execute("set wal_compression = " + method);
        st.execute("checkpoint");
        st.execute("update items set n = n + 1");
        st.execute("update docs set tags = tags || 'z'::text");
      }
      st.execute("reset wal_compression");
      st.execute("checkpoint");
      Lsn end;
      try (ResultSet rs = st.executeQuery("select pg_current_wal_flush_lsn()")) {
        rs.next();
        end = Lsn.parse(rs.getString(1));
      }
      return copy(pg.dataDir().resolve("pg_wal"), copyTo, end);
    }
  }

  private static final List<String> STATEMENTS = List.of(
      "create table items (id int primary key, v text, n int)",
      "create index items_n_hash on items using hash (n)",
      "create index items_v_brin on items using brin (id)",
      "insert into items select g, repeat('x', g % 50), g from generate_series(1, 4000) g",
      "update items set n = n + 1 where id % 3 = 0",
      "delete from items where id % 7 = 0",
      "vacuum items",
      "create table docs (id serial primary key, tags text[], p point)",
      "create index docs_tags_gin on docs using gin (tags)",
      "create index docs_p_gist on docs using gist (p)",
      "create index docs_p_spgist on docs using spgist (p)",
      "insert into docs (tags, p) select array['a' || g % 10, 'b' || g % 7], point(g % 100, g / 100) from generate_series(1, 2000) g",
      "delete from docs where id % 5 = 0",
      "vacuum docs",
      "create sequence counter",
      "select nextval('counter') from generate_series(1, 200)",
      "create table big (id int, body text)",
      "insert into big select g, (select string_agg(md5(g::text || i::text), '') from generate_series(1, 400) i) from generate_series(1, 20) g",
      "create table scratch (x int)",
      "insert into scratch select generate_series(1, 1000)",
      "truncate scratch",
      "create table tail (x int)",
      "insert into tail select generate_series(1, 20000)",
      "delete from tail where x > 100",
      "vacuum tail",
      "create database second",
      "drop database second",
      "create database third strategy file_copy",
      "drop database third",
      "vacuum full pg_class",
      "vacuum full pg_database",
      "begin",
      "insert into items values (100001, 'prepared', 1)",
      "prepare transaction 'p1'",
      "commit prepared 'p1'",
      "begin",
      "insert into items values (100002, 'aborted', 1)",
      "prepare transaction 'p2'",
      "rollback prepared 'p2'",
      "begin",
      "create table prepared_ddl (x int)",
      "prepare transaction 'p3'",
      "commit prepared 'p3'",
      "begin",
      "drop table prepared_ddl",
      "prepare transaction 'p4'",
      "commit prepared 'p4'",
      "begin",
      "create table never (x int)",
      "insert into never values (1)",
      "prepare transaction 'p5'",
      "rollback prepared 'p5'",
      "checkpoint");

  /** Many subtransactions with xids, so that PostgreSQL logs xid assignments too. */
  private static void subtransactions(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("begin");
      for (int i = 0; i < 80; i++) {
        st.execute("savepoint s" + i);
        st.execute("insert into scratch values (" + i + ")");
        if (i % 10 == 9) st.execute("rollback to savepoint s" + i);
      }
      st.execute("commit");
    }
  }

  /**
   * Two sessions lock the same rows at once, so the rows' xmax becomes a multixact: FOR SHARE
   * twice, then FOR KEY SHARE beside an UPDATE that does not touch the key.
   */
  private static void sharedRowLocks(PostgresFixture pg) throws SQLException {
    try (Connection a = pg.connect(); Connection b = pg.connect(); Statement sa = a.createStatement();
        Statement sb = b.createStatement()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      sa.execute("select * from items where id between 1 and 5 for share");
      sb.execute("select * from items where id between 1 and 5 for share");
      a.commit();
      b.commit();
      sa.execute("select * from items where id = 10 for key share");
      sb.execute("update items set v = 'shared' where id = 10");
      a.commit();
      b.commit();
    }
  }

  private static Result copy(Path pgWal, Path copyTo, Lsn end) throws IOException {
    Files.createDirectories(copyTo);
    List<Path> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(pgWal)) {
      files.filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}")).sorted().forEach(names::add);
    }
    long lastSegment = end.segmentNumber(Lsn.DEFAULT_SEGMENT_SIZE);
    List<Path> copied = new ArrayList<>();
    for (Path f : names) {
      if (Lsn.segmentNumberOf(f.getFileName().toString(), Lsn.DEFAULT_SEGMENT_SIZE) > lastSegment) continue;
      Path target = copyTo.resolve(f.getFileName());
      try {
        Files.copy(f, target);
      } catch (IOException e) {
        throw new UncheckedIOException("copying " + f, e);
      }
      copied.add(target);
    }
    long first = Lsn.segmentNumberOf(copied.get(0).getFileName().toString(), Lsn.DEFAULT_SEGMENT_SIZE);
    return new Result(copyTo, copied, Lsn.of(first * Lsn.DEFAULT_SEGMENT_SIZE), end);
  }
}
