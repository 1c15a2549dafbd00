package testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 server for tests: initdb into a temp dir, start on a free loopback port
 * (as a non-root user when the tests run as root), JDBC and psql helpers, stop. Its log is
 * attached to failing tests through {@link ProcessLogs}.
 *
 * <pre>
 * try (PostgresFixture pg = PostgresFixture.builder().set("wal_level", "replica").start()) {
 *   pg.psql("create table t(x int)");
 * }
 * </pre>
 */
public final class PostgresFixture implements AutoCloseable {
  public static final Path BIN_DIR = Path.of(System.getProperty("strata.postgres.bin-dir", "/usr/lib/postgresql/15/bin"));
  public static final String SUPERUSER = "postgres";

  private final Path root;
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private final AutoCloseable logRegistration;
  private boolean running;

  private PostgresFixture(Path root, int port) {
    this.root = root;
    this.dataDir = root.resolve("pgdata");
    this.logFile = root.resolve("postgres.log");
    this.port = port;
    this.logRegistration = ProcessLogs.register("postgres:" + port, () -> tail(logFile, 80));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for initdb and postgresql.conf. */
  public static final class Builder {
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<String> initdbArgs = new ArrayList<>();
    private final List<String> hbaLines = new ArrayList<>();
    private boolean start = true;

    /** A postgresql.conf setting; values are written verbatim (quote strings yourself). */
    public Builder set(String key, String value) {
      settings.put(key, value);
      return this;
    }

    public Builder initdbArg(String arg) {
      initdbArgs.add(arg);
      return this;
    }

    /** A pg_hba.conf line, placed before the default trust lines. */
    public Builder hba(String line) {
      hbaLines.add(line);
      return this;
    }

    /** Only initdb and configure; the caller starts the server later. */
    public Builder initOnly() {
      start = false;
      return this;
    }

    public PostgresFixture start() {
      try {
        Path root = Files.createTempDirectory("strata-pg-");
        PostgresFixture pg = new PostgresFixture(root, Ports.free());
        pg.initdb(initdbArgs);
        pg.configure(settings, hbaLines);
        if (start) pg.startServer();
        return pg;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void initdb(List<String> extra) throws IOException {
    OsUser.own(root);
    List<String> cmd = new ArrayList<>(List.of(bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER,
        "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"));
    cmd.addAll(extra);
    run(cmd, Duration.ofMinutes(2));
  }

  private void configure(Map<String, String> settings, List<String> hbaLines) throws IOException {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("port", Integer.toString(port));
    conf.put("listen_addresses", "'127.0.0.1'");
    conf.put("unix_socket_directories", "'" + root + "'");
    conf.put("fsync", "on");
    conf.putAll(settings);
    StringBuilder text = new StringBuilder("\n# strata test fixture\n");
    conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(dataDir.resolve("postgresql.conf"), text, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    if (!hbaLines.isEmpty()) {
      Path hba = dataDir.resolve("pg_hba.conf");
      String old = Files.readString(hba);
      Files.writeString(hba, String.join("\n", hbaLines) + "\n" + old);
    }
  }

  /** Starts the server and waits until it accepts connections. */
  public void startServer() {
    run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-l", logFile.toString(), "-w", "-t", "60", "start"),
        Duration.ofSeconds(90));
    running = true;
  }

  /** Stops the server; mode is smart, fast or immediate. */
  public void stop(String mode) {
    if (!running) return;
    run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop"), Duration.ofSeconds(90));
    running = false;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path root() {
    return root;
  }

  public Path logFile() {
    return logFile;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl("postgres"));
  }

  /**
   * Runs one statement in its own transaction on another thread. The future completes when COMMIT
   * returns, with the WAL insert position taken just before COMMIT: the commit record lies past it.
   */
  public java.util.concurrent.CompletableFuture<wire.xlog.Lsn> commitAsync(String sql) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try (Connection c = connect(); java.sql.Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(sql);
        wire.xlog.Lsn before;
        try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
          rs.next();
          before = wire.xlog.Lsn.parse(rs.getString(1));
        }
        c.commit();
        return before;
      } catch (Exception e) {
        throw new IllegalStateException(sql + ": " + e.getMessage(), e);
      }
    });
  }

  /** A libpq connection string for tools such as pg_receivewal or psql. */
  public String connString(String database) {
    return "host=127.0.0.1 port=" + port + " user=" + SUPERUSER + " dbname=" + database;
  }

  /** Runs SQL through psql (unaligned, tuples only) and returns its standard output. */
  public String psql(String sql) {
    return run(List.of(bin("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", connString("postgres"), "-c", sql),
        Duration.ofMinutes(5));
  }

  /** Runs a PostgreSQL binary from {@link #BIN_DIR} as the server's OS user and returns stdout. */
  public String runTool(List<String> args, Duration timeout) {
    List<String> cmd = new ArrayList<>(args);
    cmd.set(0, bin(args.get(0)));
    return run(cmd, timeout);
  }

  public static String bin(String tool) {
    return BIN_DIR.resolve(tool).toString();
  }

  /** Runs a command as the PostgreSQL OS user; fails with its output on a non-zero exit. */
  public static String run(List<String> cmd, Duration timeout) {
    try {
      Path out = Files.createTempFile("strata-cmd-", ".out");
      try {
        Process p = new ProcessBuilder(OsUser.command(cmd)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", cmd) + "\n" + Files.readString(out));
        }
        String text = Files.readString(out);
        if (p.exitValue() != 0) {
          throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
        }
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) return "(no log yet)";
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      stop("immediate");
    } catch (RuntimeException e) {
      // the server may already be gone; cleanup continues
    }
    try {
      logRegistration.close();
    } catch (Exception ignored) {
      // removing from a list cannot fail
    }
    TempDirs.delete(root);
  }
}
