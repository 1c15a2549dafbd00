package testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import wire.xlog.Lsn;

/**
 * Three safekeepers and a pageserver, each a process from the jar, in one Akka cluster (the first
 * safekeeper is the seed), plus the pageserver's HTTP API. Closing stops them all.
 */
public final class StorageCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(120);

  public final Path root;
  public final int[] safekeeperPgPorts = {Ports.free(), Ports.free(), Ports.free()};
  public final int[] safekeeperHttpPorts = {Ports.free(), Ports.free(), Ports.free()};
  public final int pageserverPgPort = Ports.free();
  public final int pageserverHttpPort = Ports.free();
  private final List<StrataProcess> safekeepers = new ArrayList<>();
  private StrataProcess pageserver;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Object> pageserverConfig = new java.util.HashMap<>();

  /** {@code root} is made traversable: redo and initdb run as the PostgreSQL OS user below it. */
  public StorageCluster(Path root) {
    this.root = root;
    try {
      java.nio.file.Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Extra config for the pageserver node, e.g. a short {@code strata.pageserver.wait-lsn-timeout}. */
  public StorageCluster withPageserverConfig(String key, Object value) {
    pageserverConfig.put(key, value);
    return this;
  }

  public StorageCluster start() {
    for (int i = 0; i < 3; i++) {
      List<Integer> seeds = safekeepers.isEmpty() ? List.of() : List.of(safekeepers.get(0).remotingPort());
      safekeepers.add(StrataProcess.start("sk" + (i + 1), List.of("safekeeper"), seeds,
          Map.of("strata.safekeeper.pg-port", safekeeperPgPorts[i], "strata.safekeeper.http-port", safekeeperHttpPorts[i],
              "strata.data-dir", root.resolve("sk" + (i + 1)).toString(),
              "strata.node-id", Integer.toString(i + 1))));
    }
    startPageserver();
    for (StrataProcess sk : safekeepers) sk.awaitReady(START);
    return this;
  }

  public StrataProcess startPageserver() {
    Map<String, Object> conf = new java.util.HashMap<>(pageserverConfig);
    conf.put("strata.pageserver.pg-port", pageserverPgPort);
    conf.put("strata.pageserver.http-port", pageserverHttpPort);
    conf.put("strata.data-dir", root.resolve("pageserver").toString());
    pageserver = StrataProcess.start("pageserver", List.of("pageserver"), List.of(safekeepers.get(0).remotingPort()), conf);
    pageserver.awaitReady(START);
    return pageserver;
  }

  /** kill -9 of the pageserver, then a new one on the same data dir and ports. */
  public StrataProcess crashAndRestartPageserver() {
    pageserver.kill();
    pageserver.close();
    return startPageserver();
  }

  public StrataProcess pageserver() {
    return pageserver;
  }

  /** The seed node's address, for nodes that join later (a compute). */
  public String seedAddress() {
    return safekeepers.get(0).address();
  }

  public String safekeeperHttpList() {
    return "http://127.0.0.1:" + safekeeperHttpPorts[0] + ",http://127.0.0.1:" + safekeeperHttpPorts[1] + ",http://127.0.0.1:"
        + safekeeperHttpPorts[2];
  }

  public String safekeeperList() {
    return "127.0.0.1:" + safekeeperPgPorts[0] + ",127.0.0.1:" + safekeeperPgPorts[1] + ",127.0.0.1:" + safekeeperPgPorts[2];
  }

  public JsonNode get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), 200);
  }

  public JsonNode post(String path, Object body, int expected) {
    try {
      return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), expected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status and body of a request, whatever the status. */
  public HttpResponse<String> raw(String method, String path, String body) {
    try {
      return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Lsn lastRecordLsn(String tenant, String timeline) {
    return Lsn.parse(get("/v1/tenant/" + tenant + "/timeline/" + timeline).path("last_record_lsn").asText());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + pageserverHttpPort + path);
  }

  private JsonNode send(HttpRequest.Builder b, int expected) {
    HttpResponse<String> r;
    try {
      r = http.send(b.timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) throw new IllegalStateException(r.request().method() + " " + r.request().uri() + " answered "
          + r.statusCode() + ": " + r.body());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (pageserver != null) pageserver.close();
    for (StrataProcess sk : safekeepers) sk.close();
  }
}
