package bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import testkit.StrataProcess;
import testkit.SyntheticProposer;
import testkit.SyntheticWal;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * One safekeeper's side of a commit, alone: a synthetic proposer sends one small record per
 * AppendRequest (about a pgbench transaction's WAL) and waits for the AppendResponse that covers
 * it (write, fdatasync, reply). Prints round-trip percentiles and the safekeeper JVM's CPU per
 * append, which a shared machine disturbs far less than the latency.
 *
 * <pre>java -Dstrata.jar=… -cp … bench.SafekeeperRoundTripBench [appends] [record bytes]</pre>
 */
public final class SafekeeperRoundTripBench {
  private static final Lsn START = Lsn.parse("0/1000028");

  public static void main(String[] args) throws Exception {
    int appends = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int warmup = appends / 2;
    SyntheticWal wal = SyntheticWal.records(START, warmup + appends, size);
    List<Lsn> ends = wal.recordEnds();
    try (StrataProcess sk = StrataProcess.start("sk", List.of("safekeeper"), List.of(), Map.of())) {
      sk.awaitReady(Duration.ofSeconds(90));
      int pgPort = sk.json("/node").path("ports").path("strata.safekeeper.pg-port").asInt();
      ProcessHandle jvm = Machine.strataNode(sk).orElseThrow();
      try (SyntheticProposer p = SyntheticProposer.elect(pgPort, "0123456789abcdef0123456789abcdef",
          "fedcba9876543210fedcba9876543210", 1, TermHistory.EMPTY.plus(1, START))) {
        Lsn at = START;
        for (int i = 0; i < warmup; i++) {
          p.append(wal, at, ends.get(i), ends.get(i));
          at = ends.get(i);
        }
        long[] micros = new long[appends];
        long cpu0 = cpuNanos(jvm);
        long t0 = System.nanoTime();
        for (int i = 0; i < appends; i++) {
          Lsn end = ends.get(warmup + i);
          long s = System.nanoTime();
          p.append(wal, at, end, end);
          micros[i] = (System.nanoTime() - s) / 1000;
          at = end;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuNanos(jvm) - cpu0;
        Arrays.sort(micros);
        System.out.printf(Locale.ROOT, "%d appends of %d B: %.0f/s, round trip p50 %d µs, p90 %d µs, p99 %d µs; safekeeper JVM CPU %.1f µs per append%n",
            appends, size, appends / secs, micros[appends / 2], micros[appends * 9 / 10], micros[appends * 99 / 100], cpu / 1e3 / appends);
      }
    }
  }

  private static long cpuNanos(ProcessHandle jvm) {
    return jvm.info().totalCpuDuration().orElseThrow().toNanos();
  }
}
