package testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import wire.xlog.Lsn;

/**
 * A physical standby of a primary (a {@link PostgresFixture} or any reachable server) that replays to an LSN, pauses there and
 * writes its pages to disk, so that its relation files are PostgreSQL's own answer to "every page
 * as of LSN E". Make it with {@link #create} before the workload (pg_basebackup -X stream with a
 * replication slot), then call {@link #pauseAt}.
 *
 * <p>Which LSN the pages are at: recovery stops at the first record that <em>starts</em> at or
 * after the target; {@code inclusive} replays that record too, otherwise not. The pages then hold
 * exactly the records whose end LSN is at most {@code pg_last_wal_replay_lsn()}, which
 * {@link #pauseAt} returns: the LSN to ask a page server for. With {@code inclusive=false} and a
 * target taken from {@code pg_current_wal_insert_lsn()} between statements, that is the end of the
 * last record before the target (equal to it, or a page header short of it).
 *
 * <p>The pages reach the files through a restartpoint (CHECKPOINT on the standby), which PostgreSQL
 * makes only when it has replayed a checkpoint record since its last one: the primary must have run
 * a CHECKPOINT between {@link #create} and the target ({@link OracleWorkload}'s first phase does).
 * Timed and size-triggered restartpoints are turned off so none happens earlier by chance.
 */
public final class PausedStandby implements AutoCloseable {
  private static final String TARGET_CONF = "oracle_target.conf";

  private final String primaryConnString;
  private final String primaryJdbcUrl;
  private final String user;
  private final Path root;
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private final String slot;
  private final AutoCloseable logRegistration;
  private boolean running;
  private Lsn replayLsn;

  private PausedStandby(String host, int primaryPort, String user, Path root, int port) {
    this.primaryConnString = "host=" + host + " port=" + primaryPort + " user=" + user + " dbname=postgres";
    this.primaryJdbcUrl = "jdbc:postgresql://" + host + ":" + primaryPort + "/postgres?user=" + user;
    this.user = user;
    this.root = root;
    this.dataDir = root.resolve("pgdata");
    this.logFile = root.resolve("standby.log");
    this.port = port;
    this.slot = "oracle_standby_" + port;
    this.logRegistration = ProcessLogs.register("standby:" + port, () -> PostgresFixture.tail(logFile, 80));
  }

  /** Takes the base backup now (the standby starts from here) and configures it; it is not started. */
  public static PausedStandby create(PostgresFixture primary) {
    return create("127.0.0.1", primary.port(), PostgresFixture.SUPERUSER);
  }

  /**
   * The same for any primary a replication connection can reach as {@code user} without a password
   * (wal_level replica, two free WAL senders and a free replication slot).
   */
  public static PausedStandby create(String host, int primaryPort, String user) {
    try {
      Path root = Files.createTempDirectory("strata-standby-");
      OsUser.own(root);
      PausedStandby s = new PausedStandby(host, primaryPort, user, root, Ports.free());
      PostgresFixture.run(List.of(PostgresFixture.bin("pg_basebackup"), "-D", s.dataDir.toString(), "-d", s.primaryConnString,
          "-X", "stream", "-c", "fast", "-C", "-S", s.slot, "-R", "--no-sync"), Duration.ofMinutes(3));
      String conf = "\n# strata paused standby\nport = " + s.port + "\nunix_socket_directories = '" + root + "'\n"
          + "hot_standby = on\ncheckpoint_timeout = '1d'\nmax_wal_size = '100GB'\nhot_standby_feedback = off\n"
          + "include_if_exists '" + TARGET_CONF + "'\n";
      Files.writeString(s.dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts (or restarts) the standby with {@code target} as its recovery target, waits until replay
   * has paused there, makes a restartpoint so the files hold every replayed page, and returns
   * {@code pg_last_wal_replay_lsn()}. The primary must have WAL past the target. Targets may only grow.
   */
  public Lsn pauseAt(Lsn target, boolean inclusive, Duration timeout) throws SQLException {
    stop();
    String conf = "recovery_target_lsn = '" + target + "'\nrecovery_target_inclusive = " + inclusive
        + "\nrecovery_target_action = 'pause'\n";
    try {
      Files.writeString(dataDir.resolve(TARGET_CONF), conf);
      OsUser.own(dataDir.resolve(TARGET_CONF));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dataDir.toString(), "-l", logFile.toString(), "-w", "-t", "120", "start"),
        Duration.ofSeconds(150));
    running = true;
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      awaitPause(s, target, timeout);
      replayLsn = lsn(s, "select pg_last_wal_replay_lsn()::text");
      Lsn before = lsn(s, "select checkpoint_lsn::text from pg_control_checkpoint()");
      s.execute("checkpoint");
      Lsn after = lsn(s, "select checkpoint_lsn::text from pg_control_checkpoint()");
      if (after.equals(before)) {
        throw new IllegalStateException("standby at " + replayLsn + " made no restartpoint (still at " + before
            + "): the primary wrote no checkpoint record between the base backup and target " + target);
      }
    }
    return replayLsn;
  }

  /** {@link #pauseAt(Lsn, boolean, Duration)} waiting up to two minutes. */
  public Lsn pauseAt(Lsn target, boolean inclusive) throws SQLException {
    return pauseAt(target, inclusive, Duration.ofMinutes(2));
  }

  private void awaitPause(Statement s, Lsn target, Duration timeout) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = "";
    Lsn replayed = Lsn.INVALID;
    while (System.nanoTime() < deadline) {
      try (ResultSet rs = s.executeQuery("select pg_get_wal_replay_pause_state(), pg_last_wal_replay_lsn()::text")) {
        rs.next();
        state = rs.getString(1);
        replayed = rs.getString(2) == null ? Lsn.INVALID : Lsn.parse(rs.getString(2));
      }
      if (state.equals("paused")) return;
      try {
        Thread.sleep(50);   // polling a server for a state it reaches on its own
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the standby to pause", e);
      }
    }
    throw new IllegalStateException("standby did not pause at " + target + " within " + timeout + ": replay state '" + state
        + "' at " + replayed + "; the primary must write a record that starts at or after the target");
  }

  /** The LSN the files hold the pages of, from the last {@link #pauseAt}. */
  public Lsn replayLsn() {
    if (replayLsn == null) throw new IllegalStateException("the standby has not paused yet");
    return replayLsn;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return port;
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isRunning() {
    return running;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + user);
  }

  /** The access methods of every relation, asked of the paused standby itself (it must be running). */
  public RelationKinds kinds() throws SQLException {
    return RelationKinds.query(port, user);
  }

  /** Stops the standby (fast). Its files keep the pages of the last restartpoint: nothing more is written. */
  public void stop() {
    if (!running) return;
    PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
        Duration.ofSeconds(90));
    running = false;
  }

  private static Lsn lsn(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }

  @Override
  public void close() {
    try {
      if (running) {
        PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "60", "stop"),
            Duration.ofSeconds(90));
      }
    } catch (RuntimeException e) {
      // already gone; cleanup continues
    }
    running = false;
    try (Connection c = DriverManager.getConnection(primaryJdbcUrl); Statement s = c.createStatement()) {
      s.execute("select pg_drop_replication_slot('" + slot + "') from pg_replication_slots where slot_name = '" + slot + "'");
    } catch (SQLException e) {
      // the primary may be stopped already: its slot goes with it
    }
    try {
      logRegistration.close();
    } catch (Exception ignored) {
      // removing from a list cannot fail
    }
    TempDirs.delete(root);
  }
}
