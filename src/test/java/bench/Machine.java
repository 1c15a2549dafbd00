package bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What else the machine was doing: load average and how busy all cores were between two samples. */
final class Machine {
  private final long busy;
  private final long total;

  private Machine(long busy, long total) {
    this.busy = busy;
    this.total = total;
  }

  /** A sample of /proc/stat's first line (all cores). */
  static Machine sample() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);   // idle + iowait
      return new Machine(total - idle, total);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Percent of all cores busy since {@code earlier}. */
  double busyPercentSince(Machine earlier) {
    long t = total - earlier.total;
    return t == 0 ? 0 : 100.0 * (busy - earlier.busy) / t;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String describe() {
    return Runtime.getRuntime().availableProcessors() + " cores, load average " + loadAverage();
  }

  /** CPU time of a process and every live descendant, in seconds; 0 when it is gone. */
  static double cpuSeconds(java.util.Optional<ProcessHandle> process) {
    if (process.isEmpty()) return 0;
    java.util.List<ProcessHandle> all = new java.util.ArrayList<>(process.get().descendants().toList());
    all.add(process.get());
    return all.stream().mapToLong(h -> h.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L)).sum() / 1e9;
  }

  /** The JVM of a Strata node this benchmark started: the descendant whose command line names the node's config. */
  static java.util.Optional<ProcessHandle> strataNode(testkit.StrataProcess node) {
    String conf = node.dir().resolve("node.conf").toString();
    return ProcessHandle.current().descendants().filter(h -> h.info().commandLine().map(c -> c.contains(conf)).orElse(false)).findFirst();
  }

  /** A PostgreSQL server by its data dir (postmaster.pid). */
  static java.util.Optional<ProcessHandle> postmaster(Path dataDir) {
    try {
      return ProcessHandle.of(Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim()));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }
}
