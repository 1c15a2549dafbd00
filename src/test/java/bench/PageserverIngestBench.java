package bench;

import java.time.Duration;
import java.util.function.Supplier;
import testkit.StrataProcess;
import wire.xlog.Lsn;

/**
 * WAL ingest throughput: the same WAL of a PostgreSQL 15 primary (pgbench -i at a scale, then a
 * pgbench run) reaches a pageserver through three safekeepers and a vanilla streaming standby, in
 * one run. The figure is MB of WAL per second until each has the primary's WAL end: the
 * pageserver's last_record_lsn (HTTP), the standby's pg_last_wal_replay_lsn().
 *
 * <p>Modes: {@code catchup} (default) keeps both consumers down while the workload runs, then
 * starts each alone (standby first) and times it from its start to the WAL end, so neither is
 * limited by how fast the primary makes WAL; then it freezes both (SIGSTOP) through a second
 * workload and times each one's catch-up again, now with a warm JIT and warm caches; {@code live} keeps both following during the workload
 * and reports, besides the rate, how long after the workload's end each one reached the WAL end.
 *
 * <p>Arguments: [pgbench scale, default 20] [pgbench run seconds, default 30] [catchup|live].
 */
public final class PageserverIngestBench {
  private static final Duration CATCH_UP = Duration.ofMinutes(30);

  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    boolean live = args.length > 2 && args[2].equals("live");
    System.out.printf("PageserverIngestBench: scale %d, pgbench run %d s, mode %s; %s%n", scale, seconds, live ? "live" : "catchup",
        Machine.describe());
    try (ImportedPrimary ip = ImportedPrimary.start(null); StreamingStandby standby = StreamingStandby.create(ip.pg)) {
      Lsn backupStart = standby.backupStart();
      await(() -> !ip.pageserverLsn().isBefore(ip.flushLsn()), "the pageserver has the first commit");
      Lsn psStart = ip.pageserverLsn();
      if (live) {
        standby.start();
      } else {
        ip.cluster.pageserver().stop();
        ip.cluster.pageserver().close();
      }

      Lsn walStart = ip.flushLsn();
      long t0 = System.nanoTime();
      Machine m0 = Machine.sample();
      workload(ip, scale, seconds);
      long t1 = System.nanoTime();
      Lsn end = ip.flushLsn();
      double mb = end.minus(walStart) / 1e6;
      System.out.printf("workload: %.1f MB of WAL (%s .. %s) in %.1f s through the walproposer (%.1f MB/s), machine %.0f %% busy, load %s%n",
          mb, walStart, end, secs(t0, t1), mb / secs(t0, t1), Machine.sample().busyPercentSince(m0), Machine.loadAverage());

      if (live) {
        long[] reached = new long[2];
        StrataProcess.await(CATCH_UP, "both at " + end, () -> {
          if (reached[0] == 0 && !ip.pageserverLsn().isBefore(end)) reached[0] = System.nanoTime();
          Lsn r = standby.replayLsn();
          if (reached[1] == 0 && r != null && !r.isBefore(end)) reached[1] = System.nanoTime();
          return reached[0] != 0 && reached[1] != 0;
        });
        double ps = (end.minus(psStart) / 1e6) / secs(t0, reached[0]);
        double sb = (end.minus(backupStart) / 1e6) / secs(t0, reached[1]);
        System.out.printf("live: pageserver reached the WAL end %.2f s after the workload, %.1f MB/s overall%n", secs(t1, reached[0]), ps);
        System.out.printf("live: standby    reached the WAL end %.2f s after the workload, %.1f MB/s overall%n", secs(t1, reached[1]), sb);
        System.out.printf("ratio pageserver / standby (MB/s): %.2f%n", ps / sb);
        return;
      }

      Machine s0 = Machine.sample();
      long s = System.nanoTime();
      standby.start();
      long sUp = System.nanoTime();
      awaitStandby(standby, end);
      long sEnd = System.nanoTime();
      double sbCpu = Machine.cpuSeconds(Machine.postmaster(standby.dataDir()));
      double sbMb = end.minus(backupStart) / 1e6;
      System.out.printf("standby: %.1f MB from %s in %.2f s (pg_ctl start -w %.2f s): %.1f MB/s; CPU %.1f s; machine %.0f %% busy, load %s%n",
          sbMb, backupStart, secs(s, sEnd), secs(s, sUp), sbMb / secs(s, sEnd), sbCpu, Machine.sample().busyPercentSince(s0),
          Machine.loadAverage());

      Machine p0 = Machine.sample();
      long p = System.nanoTime();
      // the first WAL may arrive before /ready: watch from the start (the HTTP port answers before then)
      long[] first = {0};
      double[] cpuAtFirst = {0};
      Thread watcher = new Thread(() -> {
        while (first[0] == 0 && !Thread.currentThread().isInterrupted()) {
          try {
            if (ip.pageserverLsn().isAfter(psStart)) {
              first[0] = System.nanoTime();
              cpuAtFirst[0] = Machine.cpuSeconds(Machine.strataNode(ip.cluster.pageserver()));
              return;
            }
          } catch (RuntimeException notYet) {
            // the node is still starting
          }
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "first-wal-watcher");
      watcher.setDaemon(true);
      watcher.start();
      StrataProcess node = ip.cluster.startPageserver();
      long pUp = System.nanoTime();
      Jfr.start(node);
      StrataProcess.await(CATCH_UP, "pageserver at " + end, () -> !ip.pageserverLsn().isBefore(end));
      watcher.join();
      long pEnd = System.nanoTime();
      Jfr.dump(node, "ingest");
      double psCpu = Machine.cpuSeconds(Machine.strataNode(node));
      double psMb = end.minus(psStart) / 1e6;
      System.out.printf("pageserver: %.1f MB from %s in %.2f s (JVM to /ready %.2f s, first WAL after %.2f s): %.1f MB/s, %.1f MB/s from the "
              + "first WAL; CPU %.1f s (JVM, redo children), %.1f s of it from the first WAL; machine %.0f %% busy, load %s%n",
          psMb, psStart, secs(p, pEnd), secs(p, pUp), secs(p, first[0]), psMb / secs(p, pEnd), psMb / secs(first[0], pEnd), psCpu,
          psCpu - cpuAtFirst[0],
          Machine.sample().busyPercentSince(p0), Machine.loadAverage());
      System.out.printf("ratio pageserver / standby (MB/s from process start): %.2f; from the first WAL: %.2f%n",
          (psMb / secs(p, pEnd)) / (sbMb / secs(s, sEnd)), (psMb / secs(first[0], pEnd)) / (sbMb / secs(s, sEnd)));
      warmCatchUp(ip, standby, node, scale, seconds);
    }
  }

  /**
   * Both consumers, now past their start (the pageserver's JIT has compiled its ingest), are frozen
   * while a second workload runs, then let go one at a time (standby first) and timed to the WAL end.
   */
  private static void warmCatchUp(ImportedPrimary ip, StreamingStandby standby, StrataProcess node, int scale, int seconds) {
    Lsn sbFrom = standby.replayLsn();
    Lsn psFrom = ip.pageserverLsn();
    try (Frozen sbFrozen = Frozen.stop(Machine.postmaster(standby.dataDir())); Frozen psFrozen = Frozen.stop(Machine.strataNode(node))) {
      workload(ip, scale, seconds);   // the first workload again: pgbench -i drops and reloads its tables
      Lsn end = ip.flushLsn();

      Machine s0 = Machine.sample();
      double sbCpu0 = Machine.cpuSeconds(Machine.postmaster(standby.dataDir()));
      long s = System.nanoTime();
      sbFrozen.resume();
      awaitStandby(standby, end);
      long sEnd = System.nanoTime();
      double sbMb = end.minus(sbFrom) / 1e6;
      System.out.printf("warm standby: %.1f MB from %s in %.2f s: %.1f MB/s; CPU %.1f s; machine %.0f %% busy%n", sbMb, sbFrom, secs(s, sEnd),
          sbMb / secs(s, sEnd), Machine.cpuSeconds(Machine.postmaster(standby.dataDir())) - sbCpu0, Machine.sample().busyPercentSince(s0));

      Machine p0 = Machine.sample();
      double psCpu0 = Machine.cpuSeconds(Machine.strataNode(node));
      long p = System.nanoTime();
      psFrozen.resume();
      StrataProcess.await(CATCH_UP, "pageserver at " + end, () -> !ip.pageserverLsn().isBefore(end));
      long pEnd = System.nanoTime();
      double psMb = end.minus(psFrom) / 1e6;
      System.out.printf("warm pageserver: %.1f MB from %s in %.2f s: %.1f MB/s; CPU %.1f s (JVM, redo children); machine %.0f %% busy%n",
          psMb, psFrom, secs(p, pEnd), psMb / secs(p, pEnd), Machine.cpuSeconds(Machine.strataNode(node)) - psCpu0,
          Machine.sample().busyPercentSince(p0));
      System.out.printf("warm ratio pageserver / standby (MB/s): %.2f%n", (psMb / secs(p, pEnd)) / (sbMb / secs(s, sEnd)));
    }
  }

  private static void workload(ImportedPrimary ip, int scale, int seconds) {
    ip.pgbench("-i", "-s", Integer.toString(scale), "-q");
    ip.pgbench("-c", "4", "-j", "2", "-T", Integer.toString(seconds));
  }

  private static void awaitStandby(StreamingStandby standby, Lsn end) {
    StrataProcess.await(CATCH_UP, "standby at " + end, () -> {
      Lsn r = standby.replayLsn();
      return r != null && !r.isBefore(end);
    });
  }

  private static void await(Supplier<Boolean> condition, String what) {
    StrataProcess.await(Duration.ofMinutes(2), what, condition::get);
  }

  private static double secs(long from, long to) {
    return (to - from) / 1e9;
  }
}
