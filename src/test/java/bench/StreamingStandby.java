package bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import testkit.OsUser;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * A vanilla physical standby of a primary on this machine: {@code pg_basebackup -R} with a
 * replication slot (so the primary keeps every WAL segment until the standby has it), started
 * when the caller says. {@code fsync = on}, as on the safekeepers.
 */
final class StreamingStandby implements AutoCloseable {
  private final Path root;
  private final Path dataDir;
  private final Path log;
  private final int port;
  private boolean running;
  private java.sql.Connection conn;

  private StreamingStandby(Path root, int port) {
    this.root = root;
    this.dataDir = root.resolve("pgdata");
    this.log = root.resolve("standby.log");
    this.port = port;
  }

  /** Takes the base backup now; the standby replays from here once started. */
  static StreamingStandby create(PostgresFixture primary) {
    try {
      Path root = Files.createTempDirectory("strata-bench-standby-");
      OsUser.own(root);
      StreamingStandby s = new StreamingStandby(root, Ports.free());
      String conninfo = "host=127.0.0.1 port=" + primary.port() + " user=" + PostgresFixture.SUPERUSER + " application_name=standby";
      PostgresFixture.run(List.of(PostgresFixture.bin("pg_basebackup"), "-D", s.dataDir.toString(), "-d", conninfo, "-X", "stream",
          "-c", "fast", "-C", "-S", "bench_standby_" + s.port, "-R", "--no-sync"), Duration.ofMinutes(10));
      String conf = "\n# bench standby\nport = " + s.port + "\nunix_socket_directories = '" + root + "'\nhot_standby = on\n"
          + "fsync = on\nmax_wal_size = '8GB'\ncheckpoint_timeout = '1h'\n";
      Files.writeString(s.dataDir.resolve("postgresql.auto.conf"), conf, StandardOpenOption.APPEND);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where replay starts: the backup's START WAL LOCATION. */
  Lsn backupStart() {
    try {
      for (String line : Files.readAllLines(dataDir.resolve("backup_label"))) {
        if (line.startsWith("START WAL LOCATION: ")) return Lsn.parse(line.substring(20).split(" ")[0]);
      }
      throw new IllegalStateException("backup_label has no START WAL LOCATION");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void start() {
    PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dataDir.toString(), "-l", log.toString(), "-w", "-t", "300",
        "start"), Duration.ofMinutes(6));
    running = true;
  }

  /** pg_last_wal_replay_lsn(); null while the standby does not accept connections yet. */
  Lsn replayLsn() {
    try {
      if (conn == null) conn = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
      try (java.sql.Statement st = conn.createStatement();
           java.sql.ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
        rs.next();
        String v = rs.getString(1);
        return v == null ? null : Lsn.parse(v);
      }
    } catch (java.sql.SQLException e) {
      conn = null;
      return null;
    }
  }

  Path dataDir() {
    return dataDir;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    try {
      if (conn != null) conn.close();
    } catch (java.sql.SQLException ignored) {
      // the server goes down next
    }
    if (running) {
      try {
        PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"),
            Duration.ofMinutes(2));
      } catch (RuntimeException e) {
        System.err.println("standby did not stop: " + e.getMessage());
      }
    }
    TempDirs.delete(root);
  }
}
