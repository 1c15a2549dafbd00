package app.cli;

import app.Failure;
import app.Main;
import com.typesafe.config.ConfigUtil;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The compute node process of a local endpoint and its files under {@code .strata/}: the node
 * config {@code endpoints/NAME.conf}, the data dir {@code data/endpoint-NAME} (whose
 * {@code compute/NAME/spec.json} makes the compute start with the node), the log
 * {@code logs/endpoint-NAME.log} and the pid file {@code pids/endpoint-NAME.pid}.
 */
final class EndpointNode {
  private final EndpointRecord endpoint;
  private final Path home;
  private long logStart;   // where this run's output begins in the log, which earlier runs share

  EndpointNode(Path home, EndpointRecord endpoint) {
    this.home = home.toAbsolutePath().normalize();
    this.endpoint = endpoint;
  }

  Path configFile() {
    return EndpointRecord.dir(home).resolve(endpoint.name() + ".conf");
  }

  Path dataDir() {
    return home.resolve("data").resolve("endpoint-" + endpoint.name());
  }

  Path specFile() {
    return dataDir().resolve("compute").resolve(endpoint.name()).resolve("spec.json");
  }

  Path logFile() {
    return home.resolve("logs").resolve("endpoint-" + endpoint.name() + ".log");
  }

  Path pidFile() {
    return home.resolve("pids").resolve("endpoint-" + endpoint.name() + ".pid");
  }

  /** The node's HOCON: the compute role in the local cluster, this endpoint's id, ports and data dir. */
  String nodeConfig(String seed) {
    EndpointPorts p = endpoint.ports();
    return "# Written by strata endpoint start: the compute node of endpoint " + endpoint.name() + ".\n"
        + "akka.cluster.roles = [compute]\n"
        + "akka.cluster.seed-nodes = [" + ConfigUtil.quoteString(seed) + "]\n"
        + "akka.remote.artery.canonical.port = " + p.remoting() + "\n"
        + "akka.management.http.port = " + p.management() + "\n"
        + "strata.data-dir = " + ConfigUtil.quoteString(dataDir().toString()) + "\n"
        + "strata.compute.endpoint-id = " + ConfigUtil.quoteString(endpoint.name()) + "\n"
        + "strata.compute.http-port = " + p.http() + "\n"
        + "strata.compute.pg-port = " + p.pg() + "\n";
  }

  /** Writes the node config and spec.json (0600: a spec may carry passwords), each replaced atomically. */
  void writeFiles(String seed) {
    replace(configFile(), nodeConfig(seed));
    try {
      replace(specFile(), EndpointRecord.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(endpoint.spec()) + "\n");
    } catch (IOException e) {
      throw new Failure("cannot write " + specFile() + ": " + e.getMessage());
    }
  }

  /** The node process, if the pid file names a live process running this endpoint's config. */
  Optional<ProcessHandle> running() {
    if (!Files.isRegularFile(pidFile())) return Optional.empty();
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile()).trim());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    String conf = configFile().toString();
    // a recycled pid belongs to some other program: its command line does not name our config
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(conf)).orElse(true));
  }

  /** Names of the local endpoints running on the tenant's timeline (any of its timelines when {@code timelineOrNull} is null). */
  static List<String> runningOn(Path home, String tenant, String timelineOrNull) {
    return EndpointRecord.all(home).stream()
        .filter(e -> e.tenantId().equals(tenant) && (timelineOrNull == null || e.timelineId().equals(timelineOrNull)))
        .filter(e -> new EndpointNode(home, e).running().isPresent()).map(EndpointRecord::name).toList();
  }

  /** Starts {@code java -jar strata.jar node --config …} detached from this process, its output appended to the log. */
  ProcessHandle launch() {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");   // its own session: no terminal signals
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = System.getenv("STRATA_JAVA_OPTS");
    cmd.addAll(Arrays.asList((opts == null || opts.isBlank() ? "-Xms64m -Xmx512m" : opts.trim()).split("\\s+")));
    cmd.addAll(self());
    cmd.addAll(List.of("node", "--config", configFile().toString()));
    try {
      Files.createDirectories(logFile().getParent());
      Files.createDirectories(pidFile().getParent());
      logStart = Files.exists(logFile()) ? Files.size(logFile()) : 0;
      Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).redirectErrorStream(true).start();
      Files.writeString(pidFile(), p.pid() + "\n", StandardCharsets.UTF_8);
      return p.toHandle();
    } catch (IOException e) {
      throw new Failure("cannot start the node of endpoint '" + endpoint.name() + "' (" + String.join(" ", cmd) + "): " + e.getMessage());
    }
  }

  /** SIGTERM, then SIGKILL if the process is still there after {@code grace}; the pid file goes. */
  void stop(ProcessHandle process, Duration grace, java.io.PrintWriter err) {
    process.destroy();
    try {
      process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      err.println("strata: endpoint " + endpoint.name() + " (pid " + process.pid() + ") did not stop in " + grace.toSeconds()
          + " s; killing it");
      process.destroyForcibly();
      process.onExit().join();
    } catch (ExecutionException e) {
      throw new IllegalStateException("onExit never fails", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while waiting for endpoint " + endpoint.name() + " to stop");
    }
    forgetPid();
  }

  void forgetPid() {
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      throw new Failure("cannot remove " + pidFile() + ": " + e.getMessage());
    }
  }

  /** The last lines of the node's log (of the run this object launched, if it did), for a failure report. */
  String logTail(int lines) {
    try {
      if (!Files.exists(logFile())) return "(no log at " + logFile() + ")";
      try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(logFile().toFile(), "r")) {
        long from = Math.min(Math.max(logStart, f.length() - 64 * 1024), f.length());   // enough for the last lines
        byte[] bytes = new byte[(int) (f.length() - from)];
        f.seek(from);
        f.readFully(bytes);
        List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
      }
    } catch (IOException e) {
      return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
    }
  }

  /** How to run this very program again: {@code -jar strata.jar}, or the class path when run from classes. */
  private static List<String> self() {
    Path location;
    try {
      location = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the code source of Main is not a path", e);
    }
    if (Files.isRegularFile(location)) return List.of("-jar", location.toString());
    return List.of("-cp", System.getProperty("java.class.path"), Main.class.getName());
  }

  private static void replace(Path target, String text) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new Failure("cannot write " + target + ": " + e.getMessage());
    }
  }
}
