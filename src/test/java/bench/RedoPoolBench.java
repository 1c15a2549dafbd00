package bench;

import actors.pageserver.WalRedoPool;
import actors.pageserver.WalRedoPoolSettings;
import actors.pageserver.WalRedoWorker;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import store.redo.RedoResult;
import testkit.OsUser;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.pgdata.RelFileNode;
import wire.redo.RedoRequest;
import wire.xlog.Lsn;

/**
 * WAL redo throughput through {@link WalRedoPool}: the heap-insert stream of {@link WalRedoBench}
 * (one INSERT record per row, every page's full history as one request), all pages submitted at
 * once and answered by the pool's workers, for each pool size given. Not part of the test suite:
 *
 * <pre>
 * mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/strata-cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat /tmp/strata-cp.txt) bench.RedoPoolBench [ROWS [WORKERS,…]]
 * </pre>
 * Defaults: 300000 rows, pools of 1 and 2 workers. ({@code exec:java -Dexec.args=…} does not work:
 * the property also reaches the build's {@code make} for the redo extension.)
 */
public final class RedoPoolBench {
  private static final int RUNS = 3;
  private static final int PASSES = 4;
  private static final int WARM_UP_PASSES = 12;

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int[] sizes = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2};
    Path root = Files.createTempDirectory("strata-redo-pool-bench-");
    OsUser.own(root);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "RedoPoolBench",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));
    try (PostgresFixture pg = PostgresFixture.builder().set("wal_level", "replica").set("autovacuum", "off")
        .set("wal_keep_size", "'4GB'").set("max_wal_size", "'4GB'").start();
        Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("create table b (id int, v text)");
      st.execute("checkpoint");
      Lsn start = WalRedoBench.lsn(st, "select pg_current_wal_insert_lsn()");
      st.execute("insert into b select g, md5(g::text) from generate_series(1, " + rows + ") g");
      Lsn end = WalRedoBench.lsn(st, "select pg_current_wal_flush_lsn()");
      RelFileNode rel;
      try (ResultSet rs = st.executeQuery("select d.dattablespace::int8, d.oid::int8, pg_relation_filenode('b')::int8 "
          + "from pg_database d where d.datname = current_database()")) {
        rs.next();
        rel = new RelFileNode((int) rs.getLong(1), (int) rs.getLong(2), (int) rs.getLong(3));
      }
      List<RedoRequest> requests = WalRedoBench.histories(pg.dataDir().resolve("pg_wal"), start, end, rel);
      long records = requests.stream().mapToLong(r -> r.records().size()).sum();
      System.out.printf("heap-insert stream: %d rows, %d pages, %d records%n", rows, requests.size(), records);

      for (int size : sizes) {
        WalRedoPool pool = WalRedoPool.spawn(system, new WalRedoPoolSettings(size, root.resolve("pool-" + size), PostgresFixture.BIN_DIR,
            OsUser.name(), Duration.ofSeconds(60)));
        // Warm-up: processes started, and the JIT done with Akka's paths (it otherwise takes most of the JVM's CPU).
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) redoAll(pool, requests);
        List<Long> pids = new ArrayList<>();
        for (var w : pool.workers()) {
          pids.add(AskPattern.<WalRedoWorker.Command, WalRedoWorker.Status>ask(w, WalRedoWorker.GetStatus::new, Duration.ofSeconds(10),
              system.scheduler()).toCompletableFuture().get().pid());
        }
        for (int run = 1; run <= RUNS; run++) {
          double jvm0 = jvmCpuSeconds();
          double redo0 = cpuSeconds(pids);
          long t0 = System.nanoTime();
          for (int pass = 0; pass < PASSES; pass++) redoAll(pool, requests);
          double seconds = (System.nanoTime() - t0) / 1e9;
          long n = records * PASSES;
          long pageCount = (long) requests.size() * PASSES;
          System.out.printf("pool of %d: run %d: %d records in %.3f s: %.0f records/s, %.0f pages/s; CPU per page: JVM %.0f µs, redo processes %.0f µs%n",
              size, run, n, seconds, n / seconds, pageCount / seconds, (jvmCpuSeconds() - jvm0) * 1e6 / pageCount,
              (cpuSeconds(pids) - redo0) * 1e6 / pageCount);
        }
        pool.stop();
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      TempDirs.delete(root);
    }
  }

  private static double jvmCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  private static double cpuSeconds(List<Long> pids) {
    return pids.stream().mapToDouble(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO).toNanos() / 1e9).sum();
  }

  /** Every page through the pool at once; each must come back with its last record's LSN. */
  private static void redoAll(WalRedoPool pool, List<RedoRequest> requests) throws Exception {
    List<CompletableFuture<byte[]>> pages = new ArrayList<>(requests.size());
    for (RedoRequest r : requests) pages.add(pool.redo(r).toCompletableFuture());
    // One wake-up for all: waiting on each future in turn would wake this thread once per page.
    CompletableFuture.allOf(pages.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    List<RedoResult> results = new ArrayList<>(pages.size());
    for (CompletableFuture<byte[]> p : pages) results.add(new RedoResult.Page(p.join()));
    WalRedoBench.check(results, requests);
  }
}
