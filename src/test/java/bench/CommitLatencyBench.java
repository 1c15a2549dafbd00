package bench;

import bench.SyncClusters.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import testkit.PostgresFixture;
import testkit.TempDirs;

/**
 * Commit latency under synchronous replication: {@code pgbench -N} TPS of a PostgreSQL 15 whose
 * commits wait for Strata (walproposer + three safekeepers, 2 of 3) against, in the same run, a
 * vanilla PostgreSQL 15 whose commits wait for 2 of 3 streaming standbys. Both on this machine,
 * fsync on everywhere, the same scale and settings; the two take turns at each client count. See
 * bench/README.md.
 * Arguments: [seconds per run, default 20] [client counts, default 1,4,16] [rounds, default 1] [pgbench scale, default 10].
 */
public final class CommitLatencyBench {
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
  private static final Pattern DONE = Pattern.compile("number of transactions actually processed: ([0-9]+)");

  /** One pgbench run; {@code detail} says where the commits went (WAL and fsyncs per transaction). */
  private record Run(int round, int clients, String setup, double tps, double latencyMs, long transactions, String detail) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    List<Integer> clients = Arrays.stream((args.length > 1 ? args[1] : "1,4,16").split(",")).map(Integer::parseInt).toList();
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int scale = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    // readable by the PostgreSQL OS user, which must reach the standbys' directories below it
    Path root = Files.createTempDirectory("strata-bench-commit-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    List<Cluster> open = new CopyOnWriteArrayList<>();
    Thread cleanup = new Thread(() -> cleanUp(open, root));
    Runtime.getRuntime().addShutdownHook(cleanup);   // pg_ctl daemons outlive this JVM unless stopped
    try {
      System.out.printf("pgbench -N, %d s per run, clients %s, %d round(s), scale %d, %d cores%n", seconds, clients, rounds, scale,
          Runtime.getRuntime().availableProcessors());
      SyncClusters.Strata strata = SyncClusters.Strata.start(root.resolve("strata"));
      open.add(strata);
      init(strata.primary(), scale);
      open.add(SyncClusters.Vanilla.start(root.resolve("vanilla"), pg -> init(pg, scale)));
      for (Cluster c : open) pgbench(c.primary(), 4, 15);   // warm-up: the JVMs JIT-compile their hot paths, caches fill
      List<Run> runs = new ArrayList<>();
      System.out.printf("%-5s %-7s %-8s %10s %10s %9s  %s%n", "round", "clients", "setup", "tps", "lat ms", "txns", "per transaction");
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < clients.size(); k++) {
          List<Cluster> order = (r + k) % 2 == 0 ? open : List.of(open.get(1), open.get(0));
          for (Cluster c : order) {
            Run run = measure(c, r + 1, clients.get(k), seconds);
            runs.add(run);
            System.out.printf(Locale.ROOT, "%-5d %-7d %-8s %10.1f %10.3f %9d  %s%n", run.round(), run.clients(), run.setup(), run.tps(),
                run.latencyMs(), run.transactions(), run.detail());
          }
        }
      }
      printSummary(runs, clients);
    } catch (Exception | AssertionError e) {
      for (Cluster c : open) System.err.println(c.logs());
      throw e;
    } finally {
      cleanUp(open, root);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already: it cleans up the same things
      }
    }
  }

  private static void init(PostgresFixture pg, int scale) {
    pg.runTool(List.of("pgbench", "-i", "-s", Integer.toString(scale), "-q", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()),
        "-U", PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(15));
  }

  /** A checkpoint, then one timed pgbench -N; WAL and fsync counters are read around it. */
  private static Run measure(Cluster c, int round, int clients, int seconds) {
    PostgresFixture pg = c.primary();
    pg.psql("CHECKPOINT");   // every run starts with the same full-page-write cost
    SyncClusters.Strata strata = c instanceof SyncClusters.Strata s ? s : null;
    double[] before = strata == null ? null : safekeeperCounters(strata);
    long[] cpu0 = machineCpuTicks();
    double replicas0 = c.replicaCpuSeconds();
    long proposer0 = strata == null ? 0 : strata.proposerCpuNanos();
    String[] wal0 = pg.psql("SELECT pg_current_wal_lsn() - '0/0', wal_sync FROM pg_stat_wal").strip().split("\\|");
    String out = pgbench(pg, clients, seconds);
    String[] wal1 = pg.psql("SELECT pg_current_wal_lsn() - '0/0', wal_sync FROM pg_stat_wal").strip().split("\\|");
    long[] cpu1 = machineCpuTicks();
    double replicas1 = c.replicaCpuSeconds();
    long proposer1 = strata == null ? 0 : strata.proposerCpuNanos();
    long txns = Long.parseLong(find(DONE, out));
    double perTxn = Math.max(1, txns);
    StringBuilder detail = new StringBuilder(String.format(Locale.ROOT, "WAL %.0f B, primary fsyncs %.2f",
        (Double.parseDouble(wal1[0]) - Double.parseDouble(wal0[0])) / perTxn,
        (Double.parseDouble(wal1[1]) - Double.parseDouble(wal0[1])) / perTxn));
    double busy = (double) (cpu1[0] - cpu0[0]) / Math.max(1, cpu1[1] - cpu0[1]);
    double tickMs = 1000.0 / 100;   // USER_HZ
    // the copies' processes live through the run; pgbench's backends do not, so the primary's share is what remains
    detail.append(String.format(Locale.ROOT, ", machine CPU %.0f %% busy, %.2f ms, of which %s %.2f ms", busy * 100,
        (cpu1[0] - cpu0[0]) * tickMs / perTxn, strata == null ? "the standbys" : "the Strata JVMs", (replicas1 - replicas0) * 1000 / perTxn));
    if (strata != null) {
      detail.append(String.format(Locale.ROOT, " (of which the proposer %.2f ms)", (proposer1 - proposer0) / 1e6 / perTxn));
      double[] after = safekeeperCounters(strata);
      double appends = after[0] - before[0];
      double fsyncs = after[1] - before[1];
      double fsyncSeconds = after[2] - before[2];
      detail.append(String.format(Locale.ROOT, "; per safekeeper: appends %.2f, fsyncs %.2f, fsync mean %.2f ms",
          appends / 3 / perTxn, fsyncs / 3 / perTxn, fsyncs == 0 ? 0 : fsyncSeconds * 1000 / fsyncs));
    }
    return new Run(round, clients, c.name(), Double.parseDouble(find(TPS, out)), Double.parseDouble(find(LATENCY, out)), txns,
        detail.toString());
  }

  /** Busy and total jiffies of all cores from /proc/stat (busy leaves out idle and iowait). */
  private static long[] machineCpuTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i <= 8; i++) total += Long.parseLong(f[i]);
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }


  /** Appends, fsyncs and fsync seconds, summed over the three safekeepers. */
  private static double[] safekeeperCounters(SyncClusters.Strata strata) {
    return new double[] {strata.metricSum("strata_safekeeper_appends_total"), strata.metricSum("strata_safekeeper_fsync_seconds_count"),
        strata.metricSum("strata_safekeeper_fsync_seconds_sum")};
  }

  private static String pgbench(PostgresFixture pg, int clients, int seconds) {
    return pg.runTool(List.of("pgbench", "-N", "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
        "-T", Integer.toString(seconds), "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", PostgresFixture.SUPERUSER,
        "postgres"), Duration.ofSeconds(seconds + 300L));
  }

  private static String find(Pattern p, String pgbenchOutput) {
    Matcher m = p.matcher(pgbenchOutput);
    if (!m.find()) throw new IllegalStateException("pgbench printed no '" + p.pattern() + "':\n" + pgbenchOutput);
    return m.group(1);
  }

  /** Medians over the rounds, one row per client count. */
  private static void printSummary(List<Run> runs, List<Integer> clients) {
    System.out.println();
    System.out.println("| clients | Strata TPS | baseline TPS | Strata / baseline | Strata latency avg | baseline latency avg |");
    System.out.println("|---|---|---|---|---|---|");
    for (int c : clients) {
      double st = median(runs, c, "Strata", true);
      double bt = median(runs, c, "baseline", true);
      System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.2f ms | %.2f ms |%n", c, st, bt, st / bt,
          median(runs, c, "Strata", false), median(runs, c, "baseline", false));
    }
  }

  private static double median(List<Run> runs, int clients, String setup, boolean tps) {
    double[] v = runs.stream().filter(r -> r.clients() == clients && r.setup().equals(setup))
        .mapToDouble(r -> tps ? r.tps() : r.latencyMs()).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void cleanUp(List<Cluster> open, Path root) {
    for (Cluster c : open) {
      try {
        c.close();
      } catch (RuntimeException e) {
        System.err.println(c.name() + " did not close cleanly: " + e.getMessage());
      }
    }
    TempDirs.delete(root);
  }
}
