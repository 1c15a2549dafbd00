package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import testkit.TempDirs;

/** ./strata up, status and down start and stop a local cluster and leave no process behind. */
class LauncherIT {
  private record Run(int exit, String output) {}

  private static Run launcher(Path home, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("strata").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STRATA_HOME", home.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "./strata " + String.join(" ", args) + " finished");
    return new Run(p.exitValue(), out);
  }

  private static List<Long> pids(Path home) throws IOException {
    Path dir = home.resolve("pids");
    if (!Files.isDirectory(dir)) return List.of();
    try (var files = Files.list(dir)) {
      return files.map(f -> {
        try {
          return Long.parseLong(Files.readString(f).trim());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  @Test
  void upStatusDownRunsFourNodesAndLeavesNothingBehind() throws Exception {
    Path home = Files.createTempDirectory("strata-home-");
    List<Long> started = List.of();
    try {
      Run up = launcher(home, "up");
      assertEquals(0, up.exit(), up.output());
      started = pids(home);
      assertEquals(4, started.size(), "three safekeepers and one pageserver: " + up.output());

      Run status = launcher(home, "status");
      assertEquals(0, status.exit(), status.output());
      for (String node : List.of("safekeeper-1", "safekeeper-2", "safekeeper-3", "pageserver")) {
        assertTrue(status.output().lines().anyMatch(l -> l.startsWith(node) && l.contains(" up ")), node + " up in:\n" + status.output());
      }

      Run down = launcher(home, "down");
      assertEquals(0, down.exit(), down.output());
      for (long pid : started) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is gone");
      }
      Run after = launcher(home, "status");
      assertTrue(after.output().lines().filter(l -> l.contains(" down ")).count() == 4, after.output());
    } finally {
      for (long pid : started) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      TempDirs.delete(home);
    }
  }
}
