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
 * deletes, vacuum, databases, truncate, sequences, two-phase commit, subtransactions, TOAST,
 * checkpoints, a segment switch, and page images compressed with pglz, lz4 and zstd), and a copy
 * of the segment files holding it.
 */
final class WalWorkload {
  /** The copied segment files, the LSN the first one starts at, and the flushed end of WAL. */
  record Result(Path walDir, List<Path> segments, Lsn start, Lsn end) {
    byte[] readAll() throws IOException {
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

  static Result run(PostgresFixture pg, Path copyTo) throws SQLException, IOException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      for (String sql : STATEMENTS) st.execute(sql);
      subtransactions(c);
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
      "create database second",
      "drop database second",
      "begin",
      "insert into items values (100001, 'prepared', 1)",
      "prepare transaction 'p1'",
      "commit prepared 'p1'",
      "begin",
      "insert into items values (100002, 'aborted', 1)",
      "prepare transaction 'p2'",
      "rollback prepared 'p2'",
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
