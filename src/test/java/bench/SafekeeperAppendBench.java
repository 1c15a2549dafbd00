package bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import store.wal.WalStore;
import testkit.SyntheticWal;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * Safekeeper WAL append throughput: 128 KiB appends through {@link WalStore} (decode for record
 * ends, write, fdatasync per append, segment pre-allocation and completion) against a raw loop of
 * 128 KiB writes + fdatasync into a pre-allocated file on the same disk, in the same run.
 *
 * <pre>java -cp … bench.SafekeeperAppendBench [MiB] [runs] [dir]</pre>
 */
public final class SafekeeperAppendBench {
  private static final int CHUNK = 128 * 1024;

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path base = args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir"));
    Lsn start = Lsn.parse("0/1000028");
    SyntheticWal wal = SyntheticWal.records(start, mib * 1024 * 1024 / 8200, 8100);
    long bytes = wal.end().minus(start);
    System.out.printf("WAL: %.1f MiB in %d records, %d-byte appends, fdatasync after each%n",
        bytes / 1048576.0, wal.recordEnds().size(), CHUNK);
    for (int run = 1; run <= runs; run++) {
      long c0 = cpuNanos();
      double store = throughput(bytes, () -> viaWalStore(base, wal, start));
      long c1 = cpuNanos();
      double raw = throughput(bytes, () -> rawLoop(base, bytes));
      long c2 = cpuNanos();
      System.out.printf("run %d: WalStore %.1f MiB/s, raw write+fdatasync %.1f MiB/s, ratio %.2f; CPU of the loop WalStore %d ms, raw %d ms%n",
          run, store, raw, store / raw, (c1 - c0) / 1_000_000, (c2 - c1) / 1_000_000);
    }
  }

  /** CPU time (user + system) of this thread: the disk's speed varies on a shared machine, this does not. */
  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  interface Work {
    void run() throws IOException, WalStore.RefusedAppend;
  }

  private static double throughput(long bytes, Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return bytes / 1048576.0 / ((System.nanoTime() - t0) / 1e9);
  }

  private static void viaWalStore(Path base, SyntheticWal wal, Lsn start) throws IOException, WalStore.RefusedAppend {
    Path dir = Files.createTempDirectory(base, "sk-bench-");
    try (WalStore store = WalStore.open(dir, Lsn.DEFAULT_SEGMENT_SIZE, Lsn.INVALID)) {
      store.truncate(start, SyntheticWal.SYSTEM_ID);
      for (Lsn at = start; at.isBefore(wal.end()); ) {
        Lsn end = Lsn.min(wal.end(), at.plus(CHUNK));
        store.append(at, ByteBuffer.wrap(wal.slice(at, end)));
        store.flush();
        at = end;
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  /** The same bytes as 16 MiB segment files created zero-filled first, then written and fdatasynced. */
  private static void rawLoop(Path base, long bytes) throws IOException {
    Path dir = Files.createTempDirectory(base, "raw-bench-");
    try {
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
      byte[] zeros = new byte[1 << 20];
      long written = 0;
      for (int seg = 0; written < bytes; seg++) {
        try (FileChannel ch = FileChannel.open(dir.resolve("seg" + seg), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          for (int i = 0; i < 16; i++) ch.write(ByteBuffer.wrap(zeros));
          ch.force(true);
          for (long pos = 0; pos < Lsn.DEFAULT_SEGMENT_SIZE && written < bytes; pos += CHUNK, written += CHUNK) {
            chunk.clear();
            ch.write(chunk, pos);
            ch.force(false);
          }
        }
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
