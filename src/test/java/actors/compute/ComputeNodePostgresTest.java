package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import actors.safekeeper.TimelineStatus;
import akka.actor.typed.ActorRef;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import app.http.HttpRoutes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.TarPageserver;
import testkit.TempDirs;
import wire.pg.ScramVerifier;
import wire.pgdata.ControlFile;
import wire.xlog.Lsn;

/**
 * A ComputeNode with the real steps and its HTTP API, on a real PostgreSQL 15 and three
 * in-process safekeepers. The basebackup is a freshly initdb'd cluster served by
 * {@link TarPageserver} over the pageserver's basebackup contract.
 */
class ComputeNodePostgresTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
  private static final String TIMELINE = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Path tarDir;
  private static Path tar;
  private static Lsn checkpoint;

  @TempDir Path scratch;
  private Path endpointDir;
  private ComputeSettings settings;
  private ActorRef<ComputeNode.Command> node;
  private ServerBinding binding;

  /** A cluster that initdb made and nobody started: a clean shutdown checkpoint, nothing to replay. */
  @BeforeAll
  static void initdbTar() throws Exception {
    tarDir = Files.createTempDirectory("strata-compute-tar-");
    tar = tarDir.resolve("pgdata.tar");
    try (PostgresFixture pg = PostgresFixture.builder().initOnly().start()) {
      checkpoint = ControlFile.decode(Files.readAllBytes(pg.dataDir().resolve("global/pg_control"))).checkPoint();
      writeTar(pg.dataDir(), tar);
    }
  }

  @AfterAll
  static void dropTar() {
    TempDirs.delete(tarDir);
  }

  @BeforeEach
  void endpoint() throws IOException {
    endpointDir = Files.createTempDirectory("strata-compute-");   // /tmp/…: reachable by the PostgreSQL OS user once chowned
    settings = ComputeSettingsForTests.of(endpointDir).withPorts(Ports.free(), Ports.free());
  }

  @AfterEach
  void cleanup() throws Exception {
    if (node != null) testKit.kit().stop(node, Duration.ofSeconds(30));   // PostStop stops a PostgreSQL left running
    if (binding != null) binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TempDirs.delete(endpointDir);
  }

  private void startCompute(TarPageserver pageserver) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);   // fresh: one compute per registry
    LocalComputeSteps steps = new LocalComputeSteps(testKit.kit().system(), settings, LocalComputeSteps.pageserver(settings));
    node = testKit.kit().spawn(ComputeNode.create(settings, steps, ComputeMetrics.register(registry)));
    ComputeApi api = new ComputeApi(testKit.kit().system(), node, settings, registry);
    binding = Http.get(testKit.kit().system()).newServerAt("127.0.0.1", settings.httpPort()).bind(new HttpRoutes().compute(api))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private ObjectNode spec(TarPageserver ps, List<InProcessSafekeeper> safekeepers) {
    ObjectNode doc = ComputeSpecJson.MAPPER.createObjectNode();
    ObjectNode spec = doc.putObject("spec");
    spec.put("tenant_id", TENANT).put("timeline_id", TIMELINE).put("mode", "Primary")
        .put("pageserver_connstring", ps.connstring()).put("pageserver_http_url", ps.httpUrl()).put("suspend_timeout_seconds", -1)
        .put("unknown_to_strata", "ignored");
    ArrayNode sks = spec.putArray("safekeeper_connstrings");
    safekeepers.forEach(sk -> sks.add(sk.address()));
    ObjectNode cluster = spec.putObject("cluster");
    cluster.putArray("roles").addObject().put("name", "alice")
        .put("encrypted_password", ScramVerifier.fromPassword("alice's secret", new Random(1)).format());
    cluster.putArray("databases").addObject().put("name", "app db").put("owner", "alice");
    cluster.putArray("settings").addObject().put("name", "shared_buffers").put("value", "16MB").put("vartype", "string");
    return doc;
  }

  @Test
  void aPrimaryStartsCreatesItsRolesAndDatabasesAndStopsWithTheFinalLsn() throws Exception {
    try (TarPageserver ps = TarPageserver.start(tar, TENANT, TIMELINE, checkpoint);
         InProcessSafekeeper sk1 = InProcessSafekeeper.start(testKit.kit(), scratch.resolve("sk1"), 1);
         InProcessSafekeeper sk2 = InProcessSafekeeper.start(testKit.kit(), scratch.resolve("sk2"), 2);
         InProcessSafekeeper sk3 = InProcessSafekeeper.start(testKit.kit(), scratch.resolve("sk3"), 3)) {
      startCompute(ps);
      ObjectNode doc = spec(ps, List.of(sk1, sk2, sk3));

      ObjectNode invalid = doc.deepCopy();
      ((ObjectNode) invalid.get("spec")).remove("tenant_id");
      HttpResponse<String> refused = post("/configure", invalid.toString());
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("spec.tenant_id"), refused.body());
      assertEquals("empty", get("/status").path("status").asText(), "an invalid spec leaves the compute as it was");

      HttpResponse<String> configured = post("/configure", doc.toString());
      assertEquals(200, configured.statusCode(), configured.body());
      assertEquals("running", json(configured.body()).path("status").asText());
      assertEquals(List.of("empty", "configuration_pending", "init", "running"), history(get("/status")));
      assertEquals(List.of("basebackup " + TENANT + " " + TIMELINE + " " + checkpoint + " --no-wal-padding"), ps.queries(),
          "a new timeline (no WAL on the safekeepers) starts at the pageserver's last_record_lsn");

      JsonNode metrics = get("/metrics.json");
      for (String span : List.of("wait_for_spec_ms", "sync_safekeepers_ms", "wait_for_pageserver_ms", "basebackup_ms", "config_ms",
          "start_postgres_ms", "apply_spec_ms", "total_startup_ms")) {
        assertTrue(metrics.path(span).isIntegralNumber(), span + " in " + metrics);
      }
      assertTrue(metrics.path("basebackup_bytes").asLong() == Files.size(tar), metrics.toString());
      assertTrue(getText("/metrics").contains("strata_compute_status{status=\"running\"} 1.0"));

      Lsn committed;
      try (Connection alice = alice(); Statement s = alice.createStatement()) {
        s.execute("CREATE TABLE ledger(id int primary key, note text)");
        s.execute("INSERT INTO ledger SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g");
        try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text, current_setting('shared_buffers')")) {
          rs.next();
          committed = Lsn.parse(rs.getString(1));
          assertEquals("16MB", rs.getString(2), "the spec's settings reach postgresql.conf");
        }
      }

      Instant beforeTransaction = Instant.now();
      try (Connection idle = alice(); Statement s = idle.createStatement()) {
        idle.setAutoCommit(false);
        s.executeQuery("SELECT count(*) FROM ledger").close();   // now idle in transaction
        testKit.kit().createTestProbe().awaitAssert(WAIT, () -> {
          String at = get("/status").path("last_active").asText(null);
          assertTrue(at != null && !Instant.parse(at).isBefore(beforeTransaction), "last_active " + at + " after " + beforeTransaction);
          return null;
        });
        idle.rollback();
      }

      HttpResponse<String> whileRunning = post("/configure", invalid.toString());
      assertEquals(400, whileRunning.statusCode());
      JsonNode still = get("/status");
      assertEquals("running", still.path("status").asText());
      assertEquals(List.of("empty", "configuration_pending", "init", "running"), history(still));

      HttpResponse<String> terminated = post("/terminate?mode=fast", "");
      assertEquals(200, terminated.statusCode(), terminated.body());
      Lsn finalLsn = Lsn.parse(json(terminated.body()).path("lsn").asText());
      assertTrue(finalLsn.isAfter(committed), "final LSN " + finalLsn + " is past the last commit at " + committed);
      assertEquals(List.of("empty", "configuration_pending", "init", "running", "termination_pending_fast", "terminated"),
          history(get("/status")));
      int holding = 0;
      for (InProcessSafekeeper sk : List.of(sk1, sk2, sk3)) {
        TimelineStatus st = sk.status(TENANT, TIMELINE);
        if (st != null && !st.flushLsn().isBefore(finalLsn)) holding++;
        if (st != null) {
          assertEquals(checkpoint, st.timelineStartLsn(), "the timeline's WAL starts where the basebackup left off: no gap for the pageserver");
        }
      }
      assertTrue(holding >= 2, "a quorum of safekeepers holds WAL up to the final LSN " + finalLsn);
      assertEquals(201, post("/terminate", "").statusCode(), "terminating a terminated compute");
    }
  }

  @Test
  void aStaticComputeIsReadOnlyAtItsLsn() throws Exception {
    try (TarPageserver ps = TarPageserver.start(tar, TENANT, TIMELINE, checkpoint)) {
      startCompute(ps);
      ObjectNode doc = spec(ps, List.of());
      ((ObjectNode) doc.get("spec")).putObject("mode").put("Static", checkpoint.toString());
      HttpResponse<String> configured = post("/configure", doc.toString());
      assertEquals(200, configured.statusCode(), configured.body());
      assertEquals(List.of("basebackup " + TENANT + " " + TIMELINE + " " + checkpoint + " --read-only --no-wal-padding"), ps.queries());

      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + settings.pgPort() + "/postgres?user=postgres");
           Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
          rs.next();
          assertTrue(rs.getBoolean(1), "a static compute is a hot standby");
        }
        SQLException e = assertThrows(SQLException.class, () -> s.execute("CREATE TABLE t(x int)"));
        assertEquals("25006", e.getSQLState(), e.getMessage());   // read_only_sql_transaction
      }
      HttpResponse<String> terminated = post("/terminate?mode=immediate", "");
      assertEquals(200, terminated.statusCode(), terminated.body());
      assertTrue(json(terminated.body()).path("lsn").isNull(), terminated.body());
      assertEquals(List.of("empty", "configuration_pending", "init", "running", "termination_pending_immediate", "terminated"),
          history(get("/status")));
    }
  }

  @Test
  void anErrorThePageserverSendsAfterTheTarFailsTheStart() throws Exception {
    try (TarPageserver ps = TarPageserver.start(tar, TENANT, TIMELINE, checkpoint)) {
      ps.failAfterTar("requested LSN is below the GC cutoff");
      startCompute(ps);
      ObjectNode doc = spec(ps, List.of());
      ((ObjectNode) doc.get("spec")).putObject("mode").put("Static", checkpoint.toString());
      HttpResponse<String> r = post("/configure", doc.toString());
      assertEquals(500, r.statusCode(), r.body());
      assertTrue(r.body().contains("basebackup failed") && r.body().contains("GC cutoff"), r.body());
      JsonNode status = get("/status");
      assertEquals("failed", status.path("status").asText());
      assertFalse(Files.exists(settings.pgdata().resolve("postmaster.pid")), "PostgreSQL never started");
      assertEquals(412, post("/terminate", "").statusCode());
    }
  }

  private Connection alice() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + settings.pgPort() + "/app%20db", "alice", "alice's secret");
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    return json(getText(path));
  }

  private String getText(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + settings.httpPort() + path);
  }

  private static JsonNode json(String text) throws IOException {
    return ComputeSpecJson.MAPPER.readTree(text);
  }

  private static List<String> history(JsonNode status) {
    List<String> out = new ArrayList<>();
    status.path("history").forEach(t -> out.add(t.path("status").asText()));
    return out;
  }

  /** A tar of a data directory, as a pageserver's basebackup would send it. */
  static void writeTar(Path dataDir, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target); TarArchiveOutputStream t = new TarArchiveOutputStream(out);
         Stream<Path> paths = Files.walk(dataDir)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Path p : (Iterable<Path>) paths.sorted()::iterator) {
        if (p.equals(dataDir)) continue;
        String name = dataDir.relativize(p).toString() + (Files.isDirectory(p) ? "/" : "");
        TarArchiveEntry e = new TarArchiveEntry(name);
        if (Files.isRegularFile(p)) e.setSize(Files.size(p));
        t.putArchiveEntry(e);
        if (Files.isRegularFile(p)) Files.copy(p, t);
        t.closeArchiveEntry();
      }
    }
  }
}
