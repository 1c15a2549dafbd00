package bench;

import java.time.Duration;
import java.util.List;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * GetPage@LSN latency on a deep L0 stack, before and after compaction. The tenant gets a small
 * checkpoint_distance (1 MiB) and no background compaction; pgbench -i and then pgbench updates reach
 * the pageserver as WAL, so pgbench_accounts' pages sit under a pile of 1 MiB L0 deltas. Every page of
 * the table is read at the latest LSN (one warm-up pass, then a measured pass), then
 * {@code PUT …/compact} (L0 → L1, image layers over every partition) and the same two passes again.
 *
 * <p>Arguments: [pgbench scale, default 2] [pgbench transactions, default 20000] [clients, default 1]
 * [depth per client, default 16].
 */
public final class CompactionBench {
  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int depth = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    System.out.printf("CompactionBench: scale %d, %d pgbench transactions, %d clients, depth %d; %s%n", scale, transactions, clients,
        depth, Machine.describe());
    try (ImportedPrimary ip = ImportedPrimary.start(null)) {
      var r = ip.cluster.raw("PUT", "/v1/tenant/config", "{\"tenant_id\": \"" + ImportedPrimary.TENANT + "\", \"checkpoint_distance\": "
          + (1 << 20) + ", \"compaction_threshold\": 100000, \"compaction_period\": \"1h\", \"gc_period\": \"1h\"}");
      if (r.statusCode() != 200) throw new IllegalStateException("tenant config answered " + r.statusCode() + ": " + r.body());
      // checkpoint_distance applies when the timeline opens: restart the pageserver
      Lsn at0 = ip.pageserverLsn();
      ip.cluster.pageserver().stop();
      ip.cluster.pageserver().close();
      ip.cluster.startPageserver();
      awaitPageserver(ip, at0);

      long t0 = System.nanoTime();
      ip.pgbench("-i", "-s", Integer.toString(scale), "-q");
      ip.pgbench("-n", "-c", "2", "-t", Integer.toString(transactions / 2));
      Lsn end = ip.flushLsn();
      awaitPageserver(ip, end);
      System.out.printf("loaded through WAL: %.1f MB in %.1f s%n", end.minus(ip.importLsn) / 1e6, (System.nanoTime() - t0) / 1e9);
      var flush = ip.cluster.raw("PUT", "/v1/tenant/" + ImportedPrimary.TENANT + "/timeline/" + ImportedPrimary.TIMELINE + "/checkpoint", null);
      if (flush.statusCode() != 200) throw new IllegalStateException("checkpoint answered " + flush.statusCode() + ": " + flush.body());

      RelTag rel = GetPageBench.relation(ip.pg);
      int blocks = Integer.parseInt(ip.pg.psql("SELECT pg_relation_size('pgbench_accounts') / 8192").strip());
      Lsn at = ip.pageserverLsn();
      System.out.printf("table %s: %d blocks, read at %s%n", rel, blocks, at);
      System.out.println("| layers | pass | pages/s | p50 ms | p99 ms | max ms |");
      System.out.println("|---|---|---|---|---|---|");
      measure(ip, "before: " + GetPageBench.layerSummary(ip), rel, blocks, at, clients, depth);

      long c0 = System.nanoTime();
      var compact = ip.cluster.raw("PUT", "/v1/tenant/" + ImportedPrimary.TENANT + "/timeline/" + ImportedPrimary.TIMELINE + "/compact", null);
      if (compact.statusCode() != 200) throw new IllegalStateException("compact answered " + compact.statusCode() + ": " + compact.body());
      double compactSeconds = (System.nanoTime() - c0) / 1e9;
      measure(ip, "after: " + GetPageBench.layerSummary(ip), rel, blocks, at, clients, depth);
      System.out.printf("compaction took %.1f s%n", compactSeconds);
    }
  }

  private static void measure(ImportedPrimary ip, String label, RelTag rel, int blocks, Lsn at, int clients, int depth) throws Exception {
    for (String pass : List.of("warm-up", "measured")) {
      GetPageBench.Pass p = GetPageBench.pass(ip.cluster.pageserverPgPort, rel, blocks, at, clients, depth);
      System.out.printf("| %s | %s | %.0f | %.2f | %.2f | %.2f |%n", label, pass, p.pagesPerSecond(), p.percentileMs(50), p.percentileMs(99),
          p.percentileMs(100));
    }
  }

  private static void awaitPageserver(ImportedPrimary ip, Lsn lsn) throws Exception {
    testkit.StrataProcess.await(Duration.ofMinutes(30), "pageserver at " + lsn, () -> {
      try {
        return !ip.pageserverLsn().isBefore(lsn);
      } catch (RuntimeException e) {
        return false;
      }
    });
  }
}
