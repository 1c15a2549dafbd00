package bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import testkit.OsUser;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.StrataProcess;
import testkit.TempDirs;

/**
 * The two synchronously replicated PostgreSQL 15 primaries that {@link CommitLatencyBench}
 * compares, each on this machine and with fsync on everywhere: a Strata one (three safekeeper
 * nodes and {@code strata walproposer}, {@code synchronous_standby_names = 'walproposer'}) and a
 * vanilla one (three streaming standbys, {@code synchronous_standby_names = 'ANY 2 (s1,s2,s3)'}).
 * Closing one stops all its processes and deletes its directories; closing twice does nothing.
 */
final class SyncClusters {
  private static final String TENANT = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
  private static final String TIMELINE = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
  private static final Duration START = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private SyncClusters() {}

  /** A primary whose commits wait for a quorum of copies. */
  interface Cluster extends AutoCloseable {
    String name();

    PostgresFixture primary();

    /** Log tails of the processes beside the primary, for a failure message. */
    String logs();

    /** CPU seconds used so far by what keeps the copies: the Strata JVMs, or the standbys' processes. */
    double replicaCpuSeconds();

    @Override
    void close();
  }

  /** The postgresql.conf settings both primaries share; only synchronous_standby_names differs. */
  static PostgresFixture.Builder primaryBuilder() {
    return PostgresFixture.builder()
        .set("wal_level", "replica").set("max_wal_senders", "10").set("max_replication_slots", "10")
        .set("synchronous_commit", "on").set("fsync", "on").set("max_connections", "100")
        .set("max_wal_size", "'4GB'").set("checkpoint_timeout", "'30min'");
  }

  /** PostgreSQL + {@code strata walproposer} + three safekeeper nodes, each with its own data dir under {@code root}. */
  static final class Strata implements Cluster {
    private final Path root;
    private final StrataProcess[] safekeepers = new StrataProcess[3];
    private final int[] httpPorts = new int[3];
    private PostgresFixture primary;
    private Process proposer;

    private Strata(Path root) {
      this.root = root;
    }

    static Strata start(Path root) {
      Strata s = new Strata(root);
      try {
        Files.createDirectories(root);
        s.primary = primaryBuilder().set("synchronous_standby_names", "'walproposer'").start();
        int[] pgPorts = new int[3];
        for (int i = 0; i < 3; i++) {
          pgPorts[i] = Ports.free();
          s.httpPorts[i] = Ports.free();
          s.safekeepers[i] = StrataProcess.start("sk" + (i + 1), List.of("safekeeper"), List.of(),
              Map.of("strata.safekeeper.pg-port", pgPorts[i], "strata.safekeeper.http-port", s.httpPorts[i],
                  "strata.data-dir", root.resolve("sk" + (i + 1)).toString(), "strata.node-id", Integer.toString(i + 1)));
        }
        for (StrataProcess sk : s.safekeepers) sk.awaitReady(START);
        String list = "127.0.0.1:" + pgPorts[0] + ",127.0.0.1:" + pgPorts[1] + ",127.0.0.1:" + pgPorts[2];
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-jar", StrataProcess.jar().toString(), "walproposer",
            "--postgres", "postgresql://postgres@127.0.0.1:" + s.primary.port() + "/postgres",
            "--safekeepers", list, "--tenant", TENANT, "--timeline", TIMELINE));
        s.proposer = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(s.proposerLog().toFile()).start();
        s.primary.psql("CREATE TABLE bench_ready(x int)");   // returns only once a quorum has the commit
        return s;
      } catch (IOException | RuntimeException e) {
        String logs = s.logs();
        s.close();
        throw new IllegalStateException("Strata cluster did not start: " + e.getMessage() + logs, e);
      }
    }

    @Override
    public String name() {
      return "Strata";
    }

    @Override
    public PostgresFixture primary() {
      return primary;
    }

    @Override
    public double replicaCpuSeconds() {
      double sum = proposerCpuNanos() / 1e9;
      for (StrataProcess sk : safekeepers) sum += Machine.cpuSeconds(Machine.strataNode(sk));
      return sum;
    }

    /** CPU time the walproposer JVM has used so far. */
    long proposerCpuNanos() {
      return proposer.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private Path proposerLog() {
      return root.resolve("walproposer.log");
    }

    /** Sums a counter (or a timer's _count/_sum) over the three safekeepers' Prometheus /metrics. */
    double metricSum(String name) {
      double sum = 0;
      for (int port : httpPorts) {
        try {
          HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build();
          for (String line : HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return sum;
    }

    @Override
    public String logs() {
      StringBuilder out = new StringBuilder("\n----- strata walproposer (tail) -----\n").append(tail(proposerLog(), 40));
      for (StrataProcess sk : safekeepers) {
        if (sk != null) out.append("\n----- ").append(sk.name()).append(" (tail) -----\n").append(tail(sk.dir().resolve("node.log"), 30));
      }
      if (primary != null) out.append("\n----- primary (tail) -----\n").append(tail(primary.logFile(), 30));
      return out.toString();
    }

    @Override
    public synchronized void close() {
      if (primary != null) primary.close();
      primary = null;
      if (proposer != null) stop(proposer);
      proposer = null;
      for (int i = 0; i < 3; i++) {
        if (safekeepers[i] != null) safekeepers[i].close();
        safekeepers[i] = null;
      }
      TempDirs.delete(root);
    }
  }

  /** A vanilla primary and three streaming standbys s1, s2, s3 (pg_basebackup -R), data dirs under {@code root}. */
  static final class Vanilla implements Cluster {
    private final Path root;
    private final List<Path> standbys = new ArrayList<>();
    private PostgresFixture primary;

    private Vanilla(Path root) {
      this.root = root;
    }

    /** {@code init} runs on the primary before the standbys are copied from it (pgbench -i, for one). */
    static Vanilla start(Path root, java.util.function.Consumer<PostgresFixture> init) {
      Vanilla v = new Vanilla(root);
      try {
        Files.createDirectories(root);
        OsUser.own(root);
        v.primary = primaryBuilder().start();
        init.accept(v.primary);
        for (int i = 1; i <= 3; i++) v.startStandby("s" + i);
        v.primary.psql("ALTER SYSTEM SET synchronous_standby_names = 'ANY 2 (s1,s2,s3)'");
        v.primary.psql("SELECT pg_reload_conf()");
        StrataProcess.await(START, "three quorum standbys streaming", () -> "3".equals(v.primary.psql(
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'").strip()));
        v.primary.psql("CREATE TABLE bench_ready(x int)");
        return v;
      } catch (IOException | RuntimeException e) {
        String logs = v.logs();
        v.close();
        throw new IllegalStateException("vanilla cluster did not start: " + e.getMessage() + logs, e);
      }
    }

    private void startStandby(String name) throws IOException {
      Path dir = root.resolve(name);
      String conninfo = "host=127.0.0.1 port=" + primary.port() + " user=" + PostgresFixture.SUPERUSER + " application_name=" + name;
      primary.runTool(List.of("pg_basebackup", "-D", dir.toString(), "-R", "-X", "stream", "-c", "fast", "-d", conninfo),
          Duration.ofMinutes(5));
      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("port", Integer.toString(Ports.free()));
      conf.put("unix_socket_directories", "'" + dir + "'");
      conf.put("primary_conninfo", "'" + conninfo + "'");
      conf.put("fsync", "on");
      conf.put("hot_standby", "on");
      StringBuilder text = new StringBuilder("\n# CommitLatencyBench standby\n");
      conf.forEach((k, val) -> text.append(k).append(" = ").append(val).append('\n'));
      // postgresql.auto.conf is read last, so these win over what pg_basebackup copied and wrote
      Files.writeString(dir.resolve("postgresql.auto.conf"), text, java.nio.file.StandardOpenOption.APPEND);
      OsUser.own(dir);
      standbys.add(dir);
      PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dir.toString(), "-l", log(dir).toString(), "-w", "-t", "60",
          "start"), Duration.ofSeconds(90));
    }

    private static Path log(Path dir) {
      return dir.resolveSibling(dir.getFileName() + ".log");
    }

    @Override
    public String name() {
      return "baseline";
    }

    @Override
    public double replicaCpuSeconds() {
      return standbys.stream().mapToDouble(dir -> Machine.cpuSeconds(Machine.postmaster(dir))).sum();
    }

    @Override
    public PostgresFixture primary() {
      return primary;
    }

    @Override
    public String logs() {
      StringBuilder out = new StringBuilder();
      for (Path dir : standbys) out.append("\n----- standby ").append(dir.getFileName()).append(" (tail) -----\n").append(tail(log(dir), 30));
      if (primary != null) out.append("\n----- primary (tail) -----\n").append(tail(primary.logFile(), 30));
      return out.toString();
    }

    @Override
    public synchronized void close() {
      if (primary != null) primary.close();
      primary = null;
      for (Path dir : standbys) {
        try {
          PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", dir.toString(), "-m", "immediate", "-w", "-t", "60", "stop"),
              Duration.ofSeconds(90));
        } catch (RuntimeException e) {
          System.err.println("standby " + dir.getFileName() + " did not stop: " + e.getMessage());
        }
      }
      standbys.clear();
      TempDirs.delete(root);
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) return "(no log)";
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
