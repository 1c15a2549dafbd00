package bench;

import wire.pgdata.ForkNumber;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import store.redo.RedoResult;
import store.redo.WalRedoProcess;
import store.redo.WalRedoSettings;
import testkit.OsUser;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;
import wire.xlog.BlockRef;
import wire.xlog.Lsn;
import wire.pgdata.RelFileNode;
import wire.xlog.WalDecoder;
import wire.xlog.WalRecord;

/**
 * WAL redo throughput: a heap-insert stream (one INSERT record per row, no index) rebuilt page by
 * page through one redo process, every page's full history in one pipeline. Baseline from the same
 * run: pg_waldump reading and printing the same WAL. Not part of the test suite:
 *
 * <pre>
 * mvn -B -q -o test-compile exec:java -Dexec.mainClass=bench.WalRedoBench -Dexec.classpathScope=test [-Dexec.args=ROWS]
 * </pre>
 */
public final class WalRedoBench {
  private static final int RUNS = 3;
  /** Passes over all pages per timed run, so that a run lasts long enough to time. */
  private static final int PASSES = 4;

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    Path root = Files.createTempDirectory("strata-redo-bench-");
    OsUser.own(root);
    try (PostgresFixture pg = PostgresFixture.builder().set("wal_level", "replica").set("autovacuum", "off")
        .set("wal_keep_size", "'4GB'").set("max_wal_size", "'4GB'").start();
        Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("create table b (id int, v text)");
      st.execute("checkpoint");
      Lsn start = lsn(st, "select pg_current_wal_insert_lsn()");
      st.execute("insert into b select g, md5(g::text) from generate_series(1, " + rows + ") g");
      Lsn end = lsn(st, "select pg_current_wal_flush_lsn()");
      RelFileNode rel;
      try (ResultSet rs = st.executeQuery("select d.dattablespace::int8, d.oid::int8, pg_relation_filenode('b')::int8 "
          + "from pg_database d where d.datname = current_database()")) {
        rs.next();
        rel = new RelFileNode((int) rs.getLong(1), (int) rs.getLong(2), (int) rs.getLong(3));
      }

      long t0 = System.nanoTime();
      pg.runTool(List.of("pg_waldump", "-p", pg.dataDir().resolve("pg_wal").toString(), "-s", start.toString(), "-e", end.toString(),
          "-q"), Duration.ofMinutes(5));
      double waldumpSeconds = (System.nanoTime() - t0) / 1e9;

      List<RedoRequest> requests = histories(pg.dataDir().resolve("pg_wal"), start, end, rel);
      long records = requests.stream().mapToLong(r -> r.records().size()).sum();
      long bytes = requests.stream().flatMap(r -> r.records().stream()).mapToLong(r -> r.bytes().length).sum();
      System.out.printf("heap-insert stream: %d rows, %d pages, %d records, %.0f bytes/record%n",
          rows, requests.size(), records, (double) bytes / records);
      System.out.printf("baseline pg_waldump -q over the same WAL: %.2f s, %.0f records/s%n", waldumpSeconds, records / waldumpSeconds);

      try (WalRedoProcess redo = WalRedoProcess.start(WalRedoSettings.defaults(root.resolve("redo")))) {
        check(redo.applyAll(requests), requests);   // warm-up, and proof that every page came back right
        for (int run = 1; run <= RUNS; run++) {
          Duration cpu0 = cpu(redo.pid());
          long start0 = System.nanoTime();
          for (int pass = 0; pass < PASSES; pass++) check(redo.applyAll(requests), requests);
          double seconds = (System.nanoTime() - start0) / 1e9;
          double cpuSeconds = cpu(redo.pid()).minus(cpu0).toNanos() / 1e9;
          long n = records * PASSES;
          System.out.printf("run %d: %d records in %.3f s: %.0f records/s wall, %.0f records per service-CPU-second, %.0f pages/s%n",
              run, n, seconds, n / seconds, n / cpuSeconds, requests.size() * PASSES / seconds);
        }
        // Request overhead: one record per request (each page's INSERT+INIT alone).
        List<RedoRequest> single = requests.stream()
            .map(r -> new RedoRequest(r.rel(), r.fork(), r.blkno(), null, r.records().subList(0, 1))).toList();
        long start1 = System.nanoTime();
        for (int pass = 0; pass < PASSES; pass++) check(redo.applyAll(single), single);
        double seconds = (System.nanoTime() - start1) / 1e9;
        System.out.printf("1 record per request: %.0f requests/s%n", single.size() * PASSES / seconds);
      }
    } finally {
      TempDirs.delete(root);
    }
  }

  /** One request per heap page: its whole history, which starts with the INSERT+INIT that created it. */
  static List<RedoRequest> histories(Path pgWal, Lsn start, Lsn end, RelFileNode rel) throws Exception {
    long seg = Lsn.DEFAULT_SEGMENT_SIZE;
    WalDecoder decoder = WalDecoder.startingAt(Lsn.of(start.value() / seg * seg), seg).skipRecordsBefore(start);
    Map<Integer, List<RedoRecord>> byBlock = new TreeMap<>();
    for (long s = start.value() / seg; s * seg < end.value(); s++) {
      byte[] bytes = Files.readAllBytes(pgWal.resolve(String.format("%08X%08X%08X", 1, s / (0x1_0000_0000L / seg), s % (0x1_0000_0000L / seg))));
      decoder.feed(ByteBuffer.wrap(bytes, 0, (int) Math.min(bytes.length, end.value() - s * seg)));
      for (WalRecord r; (r = decoder.next()) != null; ) {
        for (BlockRef b : r.blocks()) {
          if (b.rel().equals(rel) && b.forkNumber() == ForkNumber.MAIN.ordinal()) {
            byBlock.computeIfAbsent(b.blockNumber(), k -> new ArrayList<>()).add(new RedoRecord(r.rawBytes(), r.lsn(), r.endLsn()));
          }
        }
      }
    }
    List<RedoRequest> out = new ArrayList<>();
    byBlock.forEach((blk, history) -> out.add(new RedoRequest(rel, ForkNumber.MAIN.ordinal(), blk, null, history)));
    return out;
  }

  /** Every page must carry the end LSN of its last record. */
  static void check(List<RedoResult> results, List<RedoRequest> requests) throws Exception {
    for (int i = 0; i < results.size(); i++) {
      ByteBuffer page = ByteBuffer.wrap(results.get(i).pageOrThrow()).order(ByteOrder.LITTLE_ENDIAN);
      long lsn = (Integer.toUnsignedLong(page.getInt(0)) << 32) | Integer.toUnsignedLong(page.getInt(4));
      List<RedoRecord> h = requests.get(i).records();
      if (lsn != h.get(h.size() - 1).end().value()) throw new IllegalStateException("page " + requests.get(i).block() + " has pd_lsn " + Lsn.of(lsn));
    }
  }

  private static Duration cpu(long pid) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
  }

  static Lsn lsn(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }
}
