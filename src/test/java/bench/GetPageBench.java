package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import testkit.PagestreamClient;
import testkit.PostgresFixture;
import testkit.StrataProcess;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * GetPage@LSN at the latest LSN over every page of one table of about the given size
 * (pgbench_accounts), through the page service: latency p50/p99 and pages/s, with 1 and N clients,
 * each keeping {@code depth} requests in flight on its own connection (clients read disjoint,
 * contiguous block ranges). For each client count the pageserver is restarted (SIGTERM, which
 * flushes, then a new JVM on the same data dir) and, when asked, the OS page cache is dropped: the
 * first pass is <em>cold</em> (fresh JVM, nothing in the process; layer files on disk), the second
 * pass over the same pages is <em>hot</em>.
 *
 * <p>The table reaches the pageserver one of two ways ({@code source}): {@code wal} — pgbench -i
 * on the running primary, so its pages arrive as WAL records through the safekeepers and every page
 * read needs WAL redo unless an image of it exists; {@code import} — pgbench -i before the data dir
 * is imported, so every page is an image in an image layer. Before the passes the timeline gets
 * {@code PUT …/checkpoint?compact=true}. The CPU time of the pageserver's redo processes during a
 * pass tells whether pages needed redo.
 *
 * <p>Arguments: [table MiB, default 1024] [client counts, default 1,4] [depth per client, default 16]
 * [wal|import, default wal] [drop OS caches before a cold pass: true|false, default false].
 */
public final class GetPageBench {
  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    List<Integer> clientCounts = Arrays.stream((args.length > 1 ? args[1] : "1,4").split(",")).map(Integer::parseInt).toList();
    int depth = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    boolean imported = args.length > 3 && args[3].equals("import");
    boolean dropCaches = args.length > 4 && Boolean.parseBoolean(args[4]);
    int scale = Math.max(1, (int) Math.round(mib / 13.1));   // pgbench_accounts: about 1,639 pages (13.1 MiB) per scale unit
    System.out.printf("GetPageBench: pgbench_accounts at scale %d (about %d MiB), clients %s, depth %d, source %s, drop caches %s; %s%n",
        scale, mib, clientCounts, depth, imported ? "import" : "wal", dropCaches, Machine.describe());

    try (ImportedPrimary ip = ImportedPrimary.start(imported ? pg -> init(pg, scale) : null)) {
      if (!imported) {
        long t0 = System.nanoTime();
        init(ip.pg, scale);
        Lsn end = ip.flushLsn();
        StrataProcess.await(Duration.ofMinutes(60), "pageserver at " + end, () -> !ip.pageserverLsn().isBefore(end));
        System.out.printf("loaded through WAL: %.1f MB of WAL in %.1f s (until the pageserver had it)%n",
            end.minus(ip.importLsn) / 1e6, (System.nanoTime() - t0) / 1e9);
      }
      long t0 = System.nanoTime();
      ip.checkpoint();
      System.out.printf("checkpoint?compact=true: %.1f s; layers: %s%n", (System.nanoTime() - t0) / 1e9, layerSummary(ip));

      RelTag rel = relation(ip.pg);
      int blocks = Integer.parseInt(ip.pg.psql("SELECT pg_relation_size('pgbench_accounts') / 8192").strip());
      Lsn at = ip.pageserverLsn();
      System.out.printf("table %s: %d blocks (%.0f MiB), read at %s%n", rel, blocks, blocks / 128.0, at);

      System.out.println("| pass | clients | depth | pages/s | p50 ms | p99 ms | max ms | redo CPU s | pageserver JVM CPU µs/page |"
          + " bench client CPU µs/page | machine busy | load |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (int clients : clientCounts) {
        restartPageserver(ip, at, dropCaches);
        for (String pass : List.of("cold", "hot")) {
          StrataProcess ps = ip.cluster.pageserver();
          double redo0 = redoCpu(ps), jvm0 = jvmCpu(ps), client0 = clientCpu();
          Machine m0 = Machine.sample();
          Jfr.start(ps);
          Pass r = pass(ip.cluster.pageserverPgPort, rel, blocks, at, clients, depth);
          Jfr.dump(ps, "getpage-" + pass + "-" + clients);
          System.out.printf("| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.1f | %.0f | %.0f | %.0f %% | %s |%n", pass, clients, depth,
              r.pagesPerSecond(), r.percentileMs(50), r.percentileMs(99), r.percentileMs(100), redoCpu(ps) - redo0,
              (jvmCpu(ps) - jvm0) * 1e6 / blocks, (clientCpu() - client0) * 1e6 / blocks, Machine.sample().busyPercentSince(m0),
              Machine.loadAverage());
        }
      }
    }
  }

  private static void init(PostgresFixture pg, int scale) {
    pg.runTool(List.of("pgbench", "-i", "-s", Integer.toString(scale), "-q", "-U", PostgresFixture.SUPERUSER, "-h", "127.0.0.1", "-p", Integer.toString(pg.port()),
        "postgres"), Duration.ofHours(1));
  }

  static RelTag relation(PostgresFixture pg) {
    String[] f = pg.psql("SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), pg_relation_filenode('pgbench_accounts')")
        .strip().split("\\|");
    return new RelTag(RelTag.DEFAULT_TABLESPACE_OID, Integer.parseInt(f[0]), Integer.parseInt(f[1]), ForkNumber.MAIN);
  }

  static String layerSummary(ImportedPrimary ip) {
    try (var files = Files.walk(ip.root.resolve("pageserver"))) {
      int deltas = 0, l0 = 0, images = 0;
      long bytes = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        store.layer.LayerName name;
        try {
          name = store.layer.LayerName.parse(p.getFileName().toString());
        } catch (IllegalArgumentException notALayer) {
          continue;
        }
        bytes += Files.size(p);
        if (name.kind() == store.layer.LayerKind.IMAGE) images++;
        else if (name.isL0()) l0++;
        else deltas++;
      }
      return images + " image, " + l0 + " L0 delta, " + deltas + " L1 delta layers, " + bytes / (1 << 20) + " MiB";
    } catch (IOException e) {
      return "(cannot list: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (which flushes), optionally drop the OS page cache, a new JVM on the same data dir, wait until it has loaded the timeline. */
  private static void restartPageserver(ImportedPrimary ip, Lsn at, boolean dropCaches) throws Exception {
    ip.cluster.pageserver().stop();
    ip.cluster.pageserver().close();
    if (dropCaches) {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }
    ip.cluster.startPageserver();
    StrataProcess.await(Duration.ofMinutes(5), "pageserver reloaded at " + at, () -> {
      try {
        return !ip.pageserverLsn().isBefore(at);
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  /** CPU seconds of the pageserver JVM's child processes (its WAL redo processes). */
  private static double redoCpu(StrataProcess ps) {
    var jvm = Machine.strataNode(ps);
    if (jvm.isEmpty()) return 0;
    return Machine.cpuSeconds(jvm) - jvm.get().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
  }

  /** CPU seconds of the pageserver JVM itself. */
  private static double jvmCpu(StrataProcess ps) {
    return Machine.strataNode(ps).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L) / 1e9;
  }

  /** CPU seconds of this benchmark's JVM (the clients). */
  private static double clientCpu() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
  }

  /** Latencies of every request and the wall time of the pass. */
  record Pass(long[] latencyNanos, long wallNanos) {
    double pagesPerSecond() {
      return latencyNanos.length / (wallNanos / 1e9);
    }

    double percentileMs(int p) {
      int i = Math.min(latencyNanos.length - 1, (int) Math.ceil(p / 100.0 * latencyNanos.length) - 1);
      return latencyNanos[Math.max(0, i)] / 1e6;
    }
  }

  static Pass pass(int port, RelTag rel, int blocks, Lsn at, int clients, int depth) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<long[]>> parts = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        int from = (int) ((long) blocks * c / clients), to = (int) ((long) blocks * (c + 1) / clients);
        parts.add(pool.submit(() -> readRange(port, rel, from, to, at, depth)));
      }
      List<long[]> done = new ArrayList<>();
      for (Future<long[]> f : parts) done.add(f.get());
      long wall = System.nanoTime() - start;
      long[] all = done.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      return new Pass(all, wall);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One connection reading blocks [from, to) with {@code depth} requests in flight; each request's time from send to answer. */
  private static long[] readRange(int port, RelTag rel, int from, int to, Lsn at, int depth) throws IOException {
    long[] latency = new long[to - from];
    long[] sentAt = new long[to - from];
    try (PagestreamClient client = PagestreamClient.open(port, PagestreamClient.Startup.of("bench"), ImportedPrimary.TENANT,
        ImportedPrimary.TIMELINE)) {
      int sent = 0, received = 0;
      while (received < latency.length) {
        while (sent < latency.length && sent - received < depth) {
          sentAt[sent] = System.nanoTime();
          client.send(new PagestreamRequest.GetPage(at, at, rel, from + sent));
          sent++;
        }
        PagestreamResponse r = client.receive();
        latency[received] = System.nanoTime() - sentAt[received];
        if (!(r instanceof PagestreamResponse.GetPage g) || g.page().length != 8192) {
          throw new IOException("block " + (from + received) + ": " + r);
        }
        received++;
      }
    }
    return latency;
  }
}
