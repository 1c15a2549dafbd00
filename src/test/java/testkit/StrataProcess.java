package testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A Strata node as a separate JVM: {@code java -jar target/strata.jar node --config FILE}. It waits
 * for {@code /ready}, reads Akka Management JSON, and stops gracefully (SIGTERM) or with SIGKILL.
 * Its output is attached to failing tests through {@link ProcessLogs}.
 */
public final class StrataProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Path dir;
  private final Path log;
  private final int managementPort;
  private final int remotingPort;
  private final Process process;
  private final AutoCloseable logRegistration;

  private StrataProcess(String name, Path dir, int remotingPort, int managementPort, Process process) {
    this.name = name;
    this.dir = dir;
    this.log = dir.resolve("node.log");
    this.remotingPort = remotingPort;
    this.managementPort = managementPort;
    this.process = process;
    this.logRegistration = ProcessLogs.register("strata node " + name, () -> PostgresFixture.tail(log, 60));
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("strata.jar", "target/strata.jar"));
    if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " is missing: run mvn package first");
    return jar;
  }

  /**
   * Starts a node with the given roles and extra config lines; remoting and management ports are
   * chosen free. {@code seeds} are remoting ports of seed nodes (empty: this node is its own seed).
   */
  public static StrataProcess start(String name, List<String> roles, List<Integer> seeds, Map<String, Object> extra) {
    int remoting = Ports.free();
    int management = Ports.free();
    try {
      Path dir = Files.createTempDirectory("strata-node-" + name + "-");
      Map<String, Object> conf = new LinkedHashMap<>();
      conf.put("akka.cluster.roles", roles);
      List<Integer> seedPorts = seeds.isEmpty() ? List.of(remoting) : seeds;
      conf.put("akka.cluster.seed-nodes", seedPorts.stream().map(p -> "akka://strata@127.0.0.1:" + p).toList());
      conf.put("akka.remote.artery.canonical.port", remoting);
      conf.put("akka.management.http.port", management);
      conf.put("strata.data-dir", dir.resolve("data").toString());
      for (String role : roles) {
        for (String key : rolePortKeys(role)) conf.put(key, Ports.free());
      }
      conf.putAll(extra);
      Path file = dir.resolve("node.conf");
      Files.writeString(file, hocon(conf));
      Process p = new ProcessBuilder(javaCommand(file)).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
      return new StrataProcess(name, dir, remoting, management, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code strata ARGS…} as a process to completion; for exit-code and stderr checks. */
  public static Result runCli(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    return run(new ProcessBuilder(cmd), timeout);
  }

  /** Runs a prepared command to completion, its stdout and stderr captured; a timeout is a failure naming the command. */
  public static Result run(ProcessBuilder pb, Duration timeout) {
    try {
      Path out = Files.createTempFile("strata-cmd-", ".out");
      Path err = Files.createTempFile("strata-cmd-", ".err");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", pb.command()) + " did not finish within " + timeout + ":\n" + Files.readString(out)
            + Files.readString(err));
      }
      Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public record Result(int exitCode, String stdout, String stderr) {}

  /** Starts {@code strata ARGS…} in the background (a proposer), stdout and stderr to {@code log}. */
  public static Process launchCli(Path log, String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    try {
      return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> javaCommand(Path config) {
    return List.of(javaBin(), "-Xms32m", "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar().toString(), "node", "--config", config.toString());
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static List<String> rolePortKeys(String role) {
    return switch (role) {
      case "safekeeper" -> List.of("strata.safekeeper.pg-port", "strata.safekeeper.http-port");
      case "pageserver" -> List.of("strata.pageserver.pg-port", "strata.pageserver.http-port");
      case "compute" -> List.of("strata.compute.http-port", "strata.compute.pg-port");
      default -> List.of();
    };
  }

  static String hocon(Map<String, Object> conf) {
    StringBuilder out = new StringBuilder();
    conf.forEach((k, v) -> out.append(k).append(" = ").append(render(v)).append('\n'));
    return out.toString();
  }

  private static String render(Object v) {
    if (v instanceof List<?> list) return "[" + String.join(", ", list.stream().map(StrataProcess::render).toList()) + "]";
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    return "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Waits until {@code /ready} answers 200. */
  public StrataProcess awaitReady(Duration timeout) {
    await(timeout, "node " + name + " ready", () -> {
      if (!process.isAlive()) throw new AssertionError("node " + name + " exited with " + process.exitValue() + "\n" + PostgresFixture.tail(log, 40));
      return status("/ready") == 200;
    });
    return this;
  }

  /** Polls until the condition holds; fails with {@code what} after the timeout. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  public int status(String path) {
    try {
      return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** GET a management path as JSON. */
  public JsonNode json(String path) {
    try {
      HttpResponse<String> r = HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new AssertionError("GET " + path + " on " + name + " gave " + r.statusCode() + ": " + r.body());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(5)).build();
  }

  public String name() {
    return name;
  }

  public int remotingPort() {
    return remotingPort;
  }

  public String address() {
    return "akka://strata@127.0.0.1:" + remotingPort;
  }

  public Path dir() {
    return dir;
  }

  /** CPU time the node's JVM has used so far (user and system), in nanoseconds; -1 when the OS does not say. */
  public long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, no shutdown hooks: a crash. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM: coordinated shutdown, leaving the cluster. */
  public void stop() {
    process.destroy();
    if (!waitFor(Duration.ofSeconds(40))) kill();
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) kill();
    try {
      logRegistration.close();
    } catch (Exception ignored) {
      // removing from a list cannot fail
    }
    TempDirs.delete(dir);
  }
}
