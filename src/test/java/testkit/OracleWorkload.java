package testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import wire.xlog.Lsn;

/**
 * A broad, deterministic SQL workload for page oracles: it touches every page kind and the WAL
 * records that are hard to get right (pgbench, every index access method, TOAST, VACUUM and
 * VACUUM FULL, TRUNCATE, CREATE/DROP DATABASE with both strategies, sequences, two-phase commit
 * with one transaction left prepared, subtransactions past the 64-subxid cache, an unlogged table,
 * multixacts). It runs in {@link Phase phases}; each returns the WAL insert LSN after it, so a
 * caller can stop a standby or ask a page server between them. Single-threaded: the same SQL in
 * the same order every run.
 *
 * <p>The server needs {@link #configure}'s settings (max_prepared_transactions above all). The
 * first phase ends with CHECKPOINT, so a standby made before it can make a restartpoint later.
 */
public final class OracleWorkload {
  /** The phases in the order {@link #runAll} runs them. */
  public enum Phase {
    PGBENCH_INIT, INDEXES, TOAST, SEQUENCES, SUBTRANSACTIONS, MULTIXACTS, TWO_PHASE, UNLOGGED, PGBENCH_RUN, VACUUM,
    TRUNCATE, DATABASES
  }

  /** A phase and the WAL insert LSN right after it. */
  public record PhaseEnd(Phase phase, Lsn lsn) {}

  /** The name of the prepared transaction the workload leaves open. */
  public static final String OPEN_PREPARED_XACT = "ora_open";
  private static final String SESSION = "set synchronous_commit = off";

  private final String host;
  private final int port;
  private final String user;

  public OracleWorkload(String host, int port, String user) {
    this.host = host;
    this.port = port;
    this.user = user;
  }

  public static OracleWorkload of(PostgresFixture pg) {
    return new OracleWorkload("127.0.0.1", pg.port(), PostgresFixture.SUPERUSER);
  }

  /** Settings the workload needs on its server, plus what a streaming standby of it needs. */
  public static PostgresFixture.Builder configure(PostgresFixture.Builder b) {
    return b.set("wal_level", "replica").set("max_prepared_transactions", "4").set("autovacuum", "off")
        .set("max_wal_senders", "6").set("max_replication_slots", "6").set("hot_standby", "on")
        .set("max_wal_size", "'1GB'").set("checkpoint_timeout", "'1h'");
  }

  /** Runs every phase in order; {@code afterEach} sees each phase's end LSN as it is reached. */
  public List<PhaseEnd> runAll(Consumer<PhaseEnd> afterEach) throws Exception {
    List<PhaseEnd> ends = new ArrayList<>();
    for (Phase p : Phase.values()) {
      PhaseEnd end = new PhaseEnd(p, run(p));
      afterEach.accept(end);
      ends.add(end);
    }
    return ends;
  }

  /** Runs one phase and returns the WAL insert LSN after it. */
  public Lsn run(Phase phase) throws Exception {
    switch (phase) {
      case PGBENCH_INIT: pgbenchInit(); break;
      case INDEXES: indexes(); break;
      case TOAST: toast(); break;
      case SEQUENCES: sequences(); break;
      case SUBTRANSACTIONS: subtransactions(); break;
      case MULTIXACTS: multixacts(); break;
      case TWO_PHASE: twoPhase(); break;
      case UNLOGGED: unlogged(); break;
      case PGBENCH_RUN: pgbenchRun(); break;
      case VACUUM: vacuum(); break;
      case TRUNCATE: truncate(); break;
      case DATABASES: databases(); break;
      default: throw new IllegalArgumentException("unknown phase " + phase);
    }
    try (Connection c = connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_current_wal_insert_lsn()::text")) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }

  private void pgbenchInit() throws SQLException {
    pgbench(List.of("-i", "-s", "1", "-q"));
    sql("postgres", "checkpoint");
  }

  private void pgbenchRun() {
    pgbench(List.of("-n", "-c", "1", "-j", "1", "-t", "1000", "--random-seed=7"));
  }

  private void indexes() throws SQLException {
    sql("postgres",
        "create table ora_items (id int primary key, k int not null, tags int[] not null, pos point not null,"
            + " label text not null, body text)",
        "create index ora_items_k on ora_items using hash (k)",
        "create index ora_items_tags on ora_items using gin (tags) with (fastupdate = on, gin_pending_list_limit = 64)",
        "create index ora_items_pos on ora_items using gist (pos)",
        "create index ora_items_label on ora_items using spgist (label)",
        "create index ora_items_id on ora_items using brin (id) with (pages_per_range = 2)",
        "insert into ora_items select g, g % 97, array[g % 7, g % 11, 100 + g % 13], point(g % 100, g / 100),"
            + " 'label-' || (g % 500), repeat('x', g % 50) from generate_series(1, 6000) g",
        "update ora_items set k = k + 1000, tags = tags || 99, pos = point(pos[0] + 0.5, pos[1]) where id % 5 = 0",
        "update ora_items set label = label || '-u' where id % 7 = 0",
        "delete from ora_items where id % 9 = 0",
        "insert into ora_items select g, g % 31, array[g % 3], point(g % 50, g % 70), 'late-' || g, null"
            + " from generate_series(6001, 7000) g");
  }

  private void toast() throws SQLException {
    sql("postgres",
        "create table ora_docs (id int primary key, doc text, packed text)",
        "alter table ora_docs alter column doc set storage external",   // out of line, uncompressed
        "insert into ora_docs select g, (select string_agg(md5(g || '-' || s), '') from generate_series(1, 100 + g % 50) s),"
            + " repeat('compressible ' || g, 400) from generate_series(1, 300) g",
        "update ora_docs set doc = doc || md5(id::text) where id % 3 = 0",
        "update ora_docs set packed = packed || 'tail' where id % 4 = 0",
        "delete from ora_docs where id % 10 = 0");
  }

  private void sequences() throws SQLException {
    sql("postgres",
        "create sequence ora_seq",
        "select count(nextval('ora_seq')) from generate_series(1, 100)",
        "alter sequence ora_seq restart with 1000",
        "select nextval('ora_seq')",
        "select setval('ora_seq', 5000, true)",
        "create table ora_serial (id bigserial primary key, v int)",
        "insert into ora_serial (v) select g from generate_series(1, 500) g");
  }

  private void subtransactions() throws SQLException {
    sql("postgres", "create table ora_sub (id int primary key, note text)");
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("insert into ora_sub values (1, 'top')");
      s.execute("savepoint a");
      s.execute("insert into ora_sub values (2, 'rolled back')");
      s.execute("rollback to savepoint a");
      s.execute("insert into ora_sub values (3, 'after rollback to savepoint')");
      s.execute("savepoint b");
      s.execute("insert into ora_sub values (4, 'released')");
      s.execute("release savepoint b");
      c.commit();
      s.execute("insert into ora_sub values (5, 'aborted top')");
      s.execute("savepoint c");
      s.execute("insert into ora_sub values (6, 'aborted sub')");
      c.rollback();
    }
    // 200 subtransactions with an xid each in one transaction: past the 64 a backend caches, so
    // XACT_ASSIGNMENT records appear; every tenth one rolls back.
    sql("postgres", "do $$ begin for i in 1..200 loop begin insert into ora_sub values (1000 + i, 'sub ' || i);"
        + " if i % 10 = 0 then raise exception 'undo %', i; end if; exception when raise_exception then null; end;"
        + " end loop; end $$");
  }

  private void multixacts() throws SQLException {
    sql("postgres", "create table ora_mx (id int primary key, v int)",
        "insert into ora_mx select g, 0 from generate_series(1, 400) g");
    List<Connection> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        Connection c = connect("postgres");
        c.setAutoCommit(false);
        sessions.add(c);
      }
      // Three sessions share-lock the same rows, then a fourth updates a non-key column under them:
      // multixacts with lockers and an updater. A backend reuses a multixact for the same member
      // set, so this makes only a few.
      for (int i = 0; i < 3; i++) {
        try (Statement s = sessions.get(i).createStatement()) {
          s.execute("select id from ora_mx where id <= 300 order by id for key share");
        }
      }
      try (Statement s = sessions.get(3).createStatement()) {
        s.execute("update ora_mx set v = v + 1 where id <= 100");
      }
      sessions.get(0).commit();
      sessions.get(1).rollback();
      sessions.get(2).commit();
      sessions.get(3).commit();
      // Then each row gets its own three lockers in fresh transactions: 800 multixacts with 2000
      // members, more than one SLRU page of members.
      List<PreparedStatement> lock = new ArrayList<>();
      for (int i = 0; i < 3; i++) lock.add(sessions.get(i).prepareStatement("select id from ora_mx where id = ? for key share"));
      for (int row = 1; row <= 400; row++) {
        for (PreparedStatement p : lock) {
          p.setInt(1, row);
          p.executeQuery().close();
        }
        for (int i = 0; i < 3; i++) sessions.get(i).commit();
      }
    } finally {
      for (Connection c : sessions) c.close();
    }
  }

  private void twoPhase() throws SQLException {
    sql("postgres", "create table ora_2pc (id int primary key, v text)");
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("begin; insert into ora_2pc select g, 'committed' from generate_series(1, 10) g;"
          + " prepare transaction 'ora_commit'");
      s.execute("commit prepared 'ora_commit'");
      s.execute("begin; insert into ora_2pc select g, 'aborted' from generate_series(11, 20) g;"
          + " prepare transaction 'ora_abort'");
      s.execute("rollback prepared 'ora_abort'");
      s.execute("begin; insert into ora_2pc select g, 'left open' from generate_series(21, 30) g;"
          + " update ora_2pc set v = 'updated by the open one' where id = 1; prepare transaction '" + OPEN_PREPARED_XACT + "'");
    }
  }

  private void unlogged() throws SQLException {
    sql("postgres",
        "create unlogged table ora_unlogged (id int primary key, v text)",
        "insert into ora_unlogged select g, md5(g::text) from generate_series(1, 2000) g",
        "create index ora_unlogged_v on ora_unlogged (v)",
        "create unlogged sequence ora_unlogged_seq",
        "select nextval('ora_unlogged_seq')");
  }

  private void vacuum() throws SQLException {
    sql("postgres",
        "vacuum ora_items",
        "vacuum (freeze) ora_docs",
        "vacuum full ora_serial",
        "vacuum pgbench_accounts",
        "delete from ora_items where id > 6500",
        "vacuum ora_items",   // the emptied tail pages are truncated away
        "vacuum ora_mx");
  }

  private void truncate() throws SQLException {
    sql("postgres",
        "create table ora_trunc (id int primary key, v text)",
        "insert into ora_trunc select g, md5(g::text) from generate_series(1, 3000) g",
        "truncate ora_trunc",
        "insert into ora_trunc select g, 'again' from generate_series(1, 100) g",
        "begin; truncate pgbench_history; rollback",
        "truncate pgbench_history");
  }

  private void databases() throws SQLException {
    sql("postgres", "create database ora_wal strategy wal_log");
    sql("ora_wal",
        "create table w (id int primary key, v text)",
        "insert into w select g, md5(g::text) from generate_series(1, 2000) g",
        "create index w_v on w (v)");
    sql("postgres",
        "create database ora_copy template ora_wal strategy file_copy",
        "create database ora_gone strategy wal_log",
        "drop database ora_gone",
        "create database ora_gone_too strategy file_copy",
        "drop database ora_gone_too");
    sql("ora_copy", "insert into w select g, 'copy' from generate_series(2001, 2500) g", "delete from w where id <= 100");
  }

  private void sql(String database, String... statements) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      for (String q : statements) {
        try {
          s.execute(q);
        } catch (SQLException e) {
          throw new SQLException("oracle workload, database " + database + ": " + q + ": " + e.getMessage(), e.getSQLState(), e);
        }
      }
    }
  }

  private Connection connect(String database) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user);
    try (Statement s = c.createStatement()) {
      s.execute(SESSION);
    }
    return c;
  }

  private void pgbench(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("pgbench")));
    cmd.addAll(args);
    cmd.add("host=" + host + " port=" + port + " user=" + user + " dbname=postgres options='-c synchronous_commit=off'");
    PostgresFixture.run(cmd, Duration.ofMinutes(3));
  }
}
