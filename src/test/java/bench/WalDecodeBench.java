package bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import testkit.PostgresFixture;
import wire.xlog.BlockRef;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;

/**
 * WAL decode throughput: WalDecoder (page checks, reassembly, CRC-32C, block references) against
 * {@code pg_waldump --quiet} over the same pgbench WAL, in the same run, twice: counting each
 * record's block references, and reading every one of them (relation, fork, block) as WAL ingest
 * does. See bench/README.md.
 * Arguments: [MiB of WAL to generate, default 256] [runs, default 5] [DIR: keep the WAL there, reuse it next time].
 */
public final class WalDecodeBench {
  static volatile int sink; // what was read from block references goes here, so the JIT cannot drop the reads

  public static void main(String[] args) throws Exception {
    long wantBytes = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path keep = args.length > 2 ? Path.of(args[2]) : null;
    if (keep != null && Files.exists(keep.resolve("range"))) {
      String[] range = Files.readString(keep.resolve("range")).trim().split(" ");
      measure(keep, Lsn.parse(range[0]), Lsn.parse(range[1]), runs);
      return;
    }
    try (PostgresFixture pg = PostgresFixture.builder()
        .set("wal_level", "replica")
        .set("max_wal_size", "'4GB'")
        .set("wal_keep_size", "'4GB'")
        .set("synchronous_commit", "off")
        .start()) {
      Lsn start = Lsn.parse(pg.psql("select pg_current_wal_insert_lsn()").trim());
      pg.runTool(List.of("pgbench", "-i", "-s", "10", "-q", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U",
          PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(10));
      while (Lsn.parse(pg.psql("select pg_current_wal_insert_lsn()").trim()).minus(start) < wantBytes) {
        pg.runTool(List.of("pgbench", "-c", "2", "-t", "20000", "-n", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()),
            "-U", PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(20));
      }
      pg.psql("checkpoint");
      Lsn end = Lsn.parse(pg.psql("select pg_current_wal_flush_lsn()").trim());
      Path walDir = pg.dataDir().resolve("pg_wal");
      if (keep != null) {
        Files.createDirectories(keep);
        for (Path f : segments(walDir, start, end, Lsn.DEFAULT_SEGMENT_SIZE)) Files.copy(f, keep.resolve(f.getFileName()));
        Files.writeString(keep.resolve("range"), start + " " + end + "\n");
      }
      measure(walDir, start, end, runs);
    }
  }

  private static void measure(Path walDir, Lsn start, Lsn end, int runs) throws Exception {
    double mib = end.minus(start) / (1024.0 * 1024.0);
    System.out.printf("WAL %s..%s: %.1f MiB%n", start, end, mib);
    long bestPg = Long.MAX_VALUE;
    long bestCount = Long.MAX_VALUE;
    long bestRead = Long.MAX_VALUE;
    long records = 0;
    for (int i = 0; i < runs; i++) {
      bestPg = Math.min(bestPg, timePgWaldump(walDir, start, end));
      long t0 = System.nanoTime();
      records = decode(walDir, start, end, false);
      long t1 = System.nanoTime();
      decode(walDir, start, end, true);
      bestCount = Math.min(bestCount, t1 - t0);
      bestRead = Math.min(bestRead, System.nanoTime() - t1);
    }
    double pgRate = mib / (bestPg / 1e9);
    System.out.printf("records: %d%n", records);
    System.out.printf("pg_waldump --quiet:          best of %d %.3f s, %.0f MiB/s%n", runs, bestPg / 1e9, pgRate);
    print("WalDecoder, count blocks:", runs, bestCount, mib, pgRate);
    print("WalDecoder, read blocks: ", runs, bestRead, mib, pgRate);
  }

  private static void print(String what, int runs, long nanos, double mib, double pgRate) {
    double rate = mib / (nanos / 1e9);
    System.out.printf("%s   best of %d %.3f s, %.0f MiB/s (%.2fx)%n", what, runs, nanos / 1e9, rate, rate / pgRate);
  }

  private static long timePgWaldump(Path walDir, Lsn start, Lsn end) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(PostgresFixture.bin("pg_waldump"), "--quiet", "-p", walDir.toString(), "-s",
        start.toString(), "-e", end.toString()).inheritIO().start();
    if (p.waitFor() != 0) throw new IllegalStateException("pg_waldump failed");
    return System.nanoTime() - t0;
  }

  /**
   * Maps each segment file and feeds it whole: records stay views of the mapping, nothing is
   * copied. With readBlocks, every block reference's relation, fork and block number is read.
   */
  private static long decode(Path walDir, Lsn start, Lsn end, boolean readBlocks) throws IOException, WalFormatException {
    long segmentSize = Lsn.DEFAULT_SEGMENT_SIZE;
    WalDecoder decoder = WalDecoder.startingAt(start.pageStart(), segmentSize).skipRecordsBefore(start);
    long records = 0;
    long blocks = 0;
    for (Path file : segments(walDir, start, end, segmentSize)) {
      long fileStart = Lsn.segmentNumberOf(file.getFileName().toString(), segmentSize) * segmentSize;
      try (FileChannel ch = FileChannel.open(file)) {
        long from = decoder.fedUpTo().value() - fileStart;
        long to = Math.min(segmentSize, end.value() - fileStart);
        decoder.feed(ch.map(FileChannel.MapMode.READ_ONLY, from, to - from));
      }
      for (WalRecord r; (r = decoder.next()) != null; ) {
        records++;
        if (!readBlocks) {
          blocks += r.blocks().size();
          continue;
        }
        for (BlockRef b : r.blocks()) {
          blocks++;
          sink ^= b.rel().relNode() ^ b.forkNumber() ^ b.blockNumber();
        }
      }
    }
    if (blocks == 0) throw new IllegalStateException("no block references decoded");
    return records;
  }

  private static List<Path> segments(Path walDir, Lsn start, Lsn end, long segmentSize) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(walDir)) {
      files.filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}"))
          .filter(f -> {
            long n = Lsn.segmentNumberOf(f.getFileName().toString(), segmentSize);
            return n >= start.segmentNumber(segmentSize) && n <= end.segmentNumber(segmentSize);
          })
          .sorted().forEach(out::add);
    }
    return out;
  }
}
