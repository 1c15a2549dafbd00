package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;
import testkit.TempDirs;

/**
 * ./strata up starts the storage nodes and endpoint main and prints its URL; the data written
 * through it survives down and up; status shows nodes and endpoints; down leaves no process behind.
 */
class LauncherIT {
  private static final Pattern URL = Pattern.compile("^endpoint main: psql (postgresql://\\S+)$", Pattern.MULTILINE);

  private record Run(int exit, String output) {}

  /** Ports shifted away from a developer's cluster (offset 0) and, most likely, from a parallel run of this test. */
  private final int portOffset = 100 * ThreadLocalRandom.current().nextInt(10, 50);

  private Run launcher(Path home, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of("strata").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STRATA_HOME", home.toString());
    pb.environment().put("STRATA_PORT_OFFSET", Integer.toString(portOffset));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "./strata " + String.join(" ", args) + " finished");
    return new Run(p.exitValue(), out);
  }

  private static String psql(String url, String... commands) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("psql"), url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
    for (String c : commands) cmd.addAll(List.of("-c", c));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "psql finished");
    assertEquals(0, p.exitValue(), "psql " + String.join(" ", commands) + ":\n" + out);
    return out;
  }

  private static String url(Run up) {
    Matcher m = URL.matcher(up.output());
    assertTrue(m.find(), "a URL line in:\n" + up.output());
    return m.group(1);
  }

  /** The node processes by pid file, and the endpoint's postmaster. */
  private static List<Long> pids(Path home) throws IOException {
    List<Long> out = new ArrayList<>();
    Path dir = home.resolve("pids");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) out.add(Long.parseLong(Files.readString(f).trim()));
      }
    }
    Path postmaster = home.resolve("data/endpoint-main/compute/main/pgdata/postmaster.pid");
    if (Files.exists(postmaster)) out.add(Long.parseLong(Files.readAllLines(postmaster).get(0).trim()));
    return out;
  }

  private static void assertGone(List<Long> pids, String output) throws IOException {
    for (long pid : pids) {
      ProcessHandle p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
      assertFalse(p != null && !exitedUnreaped(pid), "pid " + pid + " (" + (p == null ? "" : p.info().commandLine().orElse("?"))
          + ") is gone after:\n" + output);
    }
  }

  /**
   * An exited process its parent has not reaped yet (a zombie; pid 1 of a container may reap late)
   * still counts as alive for {@link ProcessHandle}: state Z with no thread left.
   */
  private static boolean exitedUnreaped(long pid) throws IOException {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String stat = Files.readString(proc.resolve("stat"));
      boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
      try (var tasks = Files.list(proc.resolve("task"))) {
        return zombie && tasks.count() <= 1;
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      return true;
    }
  }

  @Test
  void upGivesAUrlWhoseDataOutlivesDownAndUp() throws Exception {
    Path home = Files.createTempDirectory("strata-home-");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));   // PostgreSQL's OS user works inside
    List<Long> started = new ArrayList<>();
    try {
      Run up = launcher(home, "up");
      assertEquals(0, up.exit(), up.output());
      String url = url(up);
      List<Long> first = pids(home);
      started.addAll(first);
      assertEquals(7, first.size(), "the S3 server, three safekeepers, a pageserver, endpoint main and its postmaster:\n" + up.output());

      Run status = launcher(home, "status");
      assertEquals(0, status.exit(), status.output());
      assertTrue(status.output().lines().anyMatch(l -> l.startsWith("s3 ") && l.contains(" up ") && l.contains("endpoint=http://127.0.0.1:")),
          "the embedded S3 server up in:\n" + status.output());
      for (String node : List.of("safekeeper-1", "safekeeper-2", "safekeeper-3", "pageserver")) {
        assertTrue(status.output().lines().anyMatch(l -> l.startsWith(node) && l.contains(" up ")), node + " up in:\n" + status.output());
      }
      assertTrue(status.output().lines().anyMatch(l -> l.startsWith("main ") && l.contains(" running ") && l.endsWith(url)),
          "endpoint main running in:\n" + status.output());

      psql(url, "CREATE TABLE kept (id int PRIMARY KEY, note text)", "INSERT INTO kept VALUES (1, 'survives down and up')");
      assertEquals("1|survives down and up", psql(url, "SELECT * FROM kept").strip());

      Run down = launcher(home, "down");
      assertEquals(0, down.exit(), down.output());
      assertTrue(down.output().contains("stopped endpoint main at LSN "), down.output());
      assertGone(first, down.output());

      Run again = launcher(home, "up");
      assertEquals(0, again.exit(), again.output());
      assertFalse(again.output().contains("created"), "the tenant, timeline and endpoint are reused:\n" + again.output());
      List<Long> second = pids(home);
      started.addAll(second);
      assertEquals("1|survives down and up", psql(url(again), "SELECT * FROM kept").strip());

      Run down2 = launcher(home, "down");
      assertEquals(0, down2.exit(), down2.output());
      assertGone(second, down2.output());
      Run after = launcher(home, "status");
      assertEquals(5, after.output().lines().filter(l -> l.contains(" down ")).count(), "four nodes and the S3 server:\n" + after.output());
      assertTrue(after.output().lines().anyMatch(l -> l.startsWith("main ") && l.contains(" stopped ")), after.output());
    } finally {
      for (long pid : started) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      TempDirs.delete(home);
    }
  }
}
