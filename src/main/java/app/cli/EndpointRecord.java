package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import wire.xlog.Lsn;

/**
 * A local endpoint as {@code strata endpoint create} records it in {@code .strata/endpoints/NAME.json}:
 * its timeline, its LSN if it is a read-only endpoint, its ports, and the compute spec it starts
 * with ({@code {"spec": {...}}}, the document a compute keeps as spec.json; each start renews its
 * storage addresses from .strata/config). Only {@code lsn} makes an endpoint static, so a writable
 * endpoint at a historic LSN cannot be recorded.
 */
record EndpointRecord(String name, String tenantId, String timelineId, Optional<Lsn> lsn, EndpointPorts ports, JsonNode spec) {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The superuser of the pageserver's initdb, which the compute trusts on loopback. */
  static final String ADMIN_USER = "cloud_admin";
  private static final String NAME_RULE = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

  /** Refuses a name the compute (strata.compute.endpoint-id) or the file system would not take. */
  static String checkName(String name) {
    if (!name.matches(NAME_RULE)) {
      throw new Failure("endpoint name '" + name + "' must start with a letter or digit and use only letters, digits, '_', '.' and '-' (at most 63)");
    }
    return name;
  }

  static Path dir(Path home) {
    return home.resolve("endpoints");
  }

  static Path file(Path home, String name) {
    return dir(home).resolve(checkName(name) + ".json");
  }

  /** This endpoint with its spec pointing at the local cluster's services as .strata/config names them now. */
  EndpointRecord withStorage(LocalCluster cluster) {
    return new EndpointRecord(name, tenantId, timelineId, lsn, ports, specDocument(tenantId, timelineId, lsn, cluster));
  }

  /** The configuration document of a compute of this timeline against the local cluster's services. */
  static ObjectNode specDocument(String tenantId, String timelineId, Optional<Lsn> lsn, LocalCluster cluster) {
    String safekeepers = cluster.require(null, "safekeepers", "safekeepers");
    return specDocument(tenantId, timelineId, lsn,
        java.util.Arrays.stream(safekeepers.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
        cluster.require(null, "pageserver.pg", "pageserver"), cluster.require(null, "pageserver.http", "--pageserver"));
  }

  static ObjectNode specDocument(String tenantId, String timelineId, Optional<Lsn> lsn, List<String> safekeepers,
      String pageserverPg, String pageserverHttp) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("tenant_id", tenantId);
    spec.put("timeline_id", timelineId);
    if (lsn.isPresent()) {
      spec.putObject("mode").put("Static", lsn.get().toString());
    } else {
      spec.put("mode", "Primary");
    }
    ArrayNode sks = spec.putArray("safekeeper_connstrings");
    safekeepers.forEach(sks::add);
    spec.put("pageserver_connstring", "postgresql://" + pageserverPg);
    spec.put("pageserver_http_url", pageserverHttp);
    ObjectNode cluster = spec.putObject("cluster");
    cluster.putArray("roles");
    cluster.putArray("databases");
    cluster.putArray("settings");
    ObjectNode doc = JSON.createObjectNode();
    doc.set("spec", spec);
    return doc;
  }

  /** The URL psql takes. */
  String url() {
    return "postgresql://" + ADMIN_USER + "@127.0.0.1:" + ports.pg() + "/postgres";
  }

  /** {@code primary}, or {@code static@X/Y}. */
  String mode() {
    return lsn.map(l -> "static@" + l).orElse("primary");
  }

  /** Writes the record as a new file; an endpoint of that name already recorded is refused. */
  void create(Path home) {
    Path file = file(home, name);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new Failure("endpoint '" + name + "' already exists (" + file + ")");
    } catch (IOException e) {
      throw new Failure("cannot write " + file + ": " + e.getMessage());
    }
  }

  /** Replaces the recorded file (atomically) with this record. */
  void save(Path home) {
    Path file = file(home, name);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text(), StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new Failure("cannot write " + file + ": " + e.getMessage());
    }
  }

  private String text() throws com.fasterxml.jackson.core.JsonProcessingException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n";
  }

  static EndpointRecord read(Path home, String name) {
    Path file = file(home, name);
    if (!Files.isRegularFile(file)) throw new Failure("no endpoint named '" + name + "' (no " + file + "; create it with strata endpoint create)");
    return read(file);
  }

  /** Every recorded endpoint, by name. */
  static List<EndpointRecord> all(Path home) {
    Path dir = dir(home);
    if (!Files.isDirectory(dir)) return List.of();
    List<EndpointRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted()::iterator) {
        out.add(read(f));
      }
    } catch (IOException e) {
      throw new Failure("cannot list " + dir + ": " + e.getMessage());
    }
    return out;
  }

  private static EndpointRecord read(Path file) {
    try {
      JsonNode n = JSON.readTree(file.toFile());
      JsonNode p = n.path("ports");
      String lsn = n.path("lsn").asText(null);
      EndpointPorts ports = new EndpointPorts(p.path("http").asInt(), p.path("pg").asInt(), p.path("remoting").asInt(),
          p.path("management").asInt());
      String name = n.path("name").asText();
      if (name.isEmpty() || !n.path("spec").isObject() || ports.all().contains(0)) throw new IOException("name, ports or spec missing");
      return new EndpointRecord(name, n.path("tenant_id").asText(), n.path("timeline_id").asText(),
          lsn == null ? Optional.empty() : Optional.of(Lsn.parse(lsn)), ports, n.get("spec"));
    } catch (IOException | IllegalArgumentException e) {
      throw new Failure("endpoint file " + file + " is unreadable: " + e.getMessage());
    }
  }

  private ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", name);
    n.put("tenant_id", tenantId);
    n.put("timeline_id", timelineId);
    n.put("lsn", lsn.map(Lsn::toString).orElse(null));
    ObjectNode p = n.putObject("ports");
    p.put("http", ports.http());
    p.put("pg", ports.pg());
    p.put("remoting", ports.remoting());
    p.put("management", ports.management());
    n.set("spec", spec);
    return n;
  }
}
