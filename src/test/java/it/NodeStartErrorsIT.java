package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testkit.Ports;
import testkit.StrataProcess;
import testkit.TempDirs;

/** strata node refuses bad configurations with exit code 1 and one line naming the problem. */
class NodeStartErrorsIT {
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("strata-node-errors-");
  }

  @AfterAll
  static void removeDir() {
    TempDirs.delete(dir);
  }

  private static Path config(String name, String roles, int remoting) throws IOException {
    Path f = dir.resolve(name + ".conf");
    Files.writeString(f, "akka.cluster.roles = [" + roles + "]\n"
        + "akka.remote.artery.canonical.port = " + remoting + "\n"
        + "akka.management.http.port = " + Ports.free() + "\n"
        + "strata.data-dir = \"" + dir.resolve(name) + "\"\n"
        + "strata.safekeeper.pg-port = " + Ports.free() + "\n"
        + "strata.safekeeper.http-port = " + Ports.free() + "\n");
    return f;
  }

  private static void assertOneLineFailure(StrataProcess.Result r, String... fragments) {
    assertEquals(1, r.exitCode(), "exit code; stderr: " + r.stderr());
    String err = r.stderr().strip();
    assertEquals(1, err.lines().count(), "one line on stderr: " + err);
    for (String f : fragments) assertTrue(err.contains(f), "stderr names '" + f + "': " + err);
  }

  @Test
  void unknownRoleIsNamedWithTheValidOnes() throws IOException {
    var r = StrataProcess.runCli(Duration.ofSeconds(60), "node", "--config", config("bogus", "safekeeper, bogus", Ports.free()).toString());
    assertOneLineFailure(r, "'bogus'", "safekeeper, pageserver, compute, controller");
  }

  @Test
  void portInUseIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var r = StrataProcess.runCli(Duration.ofSeconds(60), "node", "--config", config("busy", "safekeeper", taken.getLocalPort()).toString());
      assertOneLineFailure(r, "port " + taken.getLocalPort(), "akka.remote.artery.canonical.port", "in use");
    }
  }

  @Test
  void malformedConfigIsNamed() throws IOException {
    Path f = dir.resolve("broken.conf");
    Files.writeString(f, "akka.cluster.roles = [safekeeper\nstrata { data-dir = ");
    var r = StrataProcess.runCli(Duration.ofSeconds(60), "node", "--config", f.toString());
    assertOneLineFailure(r, "malformed config", f.toString());
  }

  @Test
  void unwritableDataDirIsNamed() throws IOException {
    Path f = config("nodir", "safekeeper", Ports.free());
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a directory");
    Files.writeString(f, Files.readString(f) + "strata.data-dir = \"" + file.resolve("sub") + "\"\n");
    var r = StrataProcess.runCli(Duration.ofSeconds(60), "node", "--config", f.toString());
    assertOneLineFailure(r, "data dir", "not writable");
  }

  @Test
  void missingConfigOptionIsAUsageError() {
    var r = StrataProcess.runCli(Duration.ofSeconds(60), "node");
    assertEquals(2, r.exitCode(), r.stderr());
    assertTrue(r.stderr().contains("--config"), r.stderr());
  }
}
