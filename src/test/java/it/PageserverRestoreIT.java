package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import store.remote.EmbeddedS3;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.StorageCluster;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * A pageserver's disk is disposable once its layers are in object storage: after a workload, and
 * once remote_consistent_lsn has caught up, the pageserver is stopped and its whole data directory
 * deleted; a new one attaches the tenant from the embedded S3, ingest resumes from the safekeepers,
 * and a new compute sees the same pg_dump and takes new writes.
 */
@ExtendWith(ProcessLogs.class)
class PageserverRestoreIT {
  private static final String TENANT = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
  private static final String TIMELINE = "6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f";
  private static final String ADMIN = "cloud_admin";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aDeletedPageserverDiskIsRestoredFromObjectStorage() throws Exception {
    Path root = Files.createTempDirectory("strata-restore-it-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), 0, "strata", "strata-secret");
         StorageCluster cluster = new StorageCluster(root).withPageserverConfig("strata.s3.endpoint", s3.endpoint()).start()) {
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      cluster.post("/v1/tenant/" + TENANT + "/timeline", Map.of("new_timeline_id", TIMELINE, "name", "main", "pg_version", 15), 201);

      String before;
      try (Compute c = Compute.start(cluster, root, "one")) {
        c.psql("CREATE TABLE t (id int PRIMARY KEY, body text)",
            "INSERT INTO t SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g",
            "CREATE TABLE toasty AS SELECT g AS id, repeat(md5(g::text), 3000) AS body FROM generate_series(1, 20) g",
            "CREATE SEQUENCE s", "SELECT nextval('s') FROM generate_series(1, 7)",
            "UPDATE t SET body = 'changed' WHERE id % 10 = 0", "DELETE FROM t WHERE id % 7 = 0");
        Lsn end = Lsn.parse(c.psql("SELECT pg_current_wal_flush_lsn()").strip());
        StrataProcess.await(Duration.ofMinutes(2), "pageserver ingests " + end, () -> !cluster.lastRecordLsn(TENANT, TIMELINE).isBefore(end));
        cluster.raw("PUT", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/checkpoint", null);
        StrataProcess.await(Duration.ofMinutes(2), "remote_consistent_lsn reaches last_record_lsn", () -> {
          JsonNode tl = cluster.get("/v1/tenant/" + TENANT + "/timeline/" + TIMELINE);
          return !Lsn.parse(tl.path("remote_consistent_lsn").asText()).isBefore(Lsn.parse(tl.path("last_record_lsn").asText()));
        });
        String metrics = cluster.raw("GET", "/metrics", null).body();
        assertTrue(metrics.contains("strata_pageserver_remote_uploaded_bytes_total"), "upload metrics");
        before = c.dump();
      }

      cluster.pageserver().close();
      TempDirs.delete(root.resolve("pageserver"));
      cluster.startPageserver();
      assertEquals(0, cluster.get("/v1/tenant").size(), "the new pageserver has no tenant");
      assertEquals(404, cluster.raw("POST", "/v1/tenant/" + "00".repeat(16) + "/attach", null).statusCode(), "absent in S3");
      var create = cluster.raw("POST", "/v1/tenant", "{\"new_tenant_id\": \"" + TENANT + "\"}");
      assertEquals(409, create.statusCode(), create.body());
      assertTrue(create.body().contains("attach it instead"), create.body());
      String pageserver = "http://127.0.0.1:" + cluster.pageserverHttpPort;
      StrataProcess.Result attached = StrataProcess.runCli(Duration.ofMinutes(5), "tenant", "attach", "--tenant", TENANT,
          "--pageserver", pageserver);
      assertEquals(0, attached.exitCode(), attached.stderr());
      assertTrue(attached.stdout().contains("attached tenant " + TENANT + " generation 2"), attached.stdout());
      assertTrue(attached.stdout().contains(TIMELINE + " main"), attached.stdout());
      var again = cluster.raw("POST", "/v1/tenant/" + TENANT + "/attach", null);
      assertEquals(409, again.statusCode(), again.body());
      assertTrue(again.body().contains("already attached"), again.body());
      StrataProcess.Result cliAgain = StrataProcess.runCli(Duration.ofMinutes(1), "tenant", "attach", "--tenant", TENANT,
          "--pageserver", pageserver);
      assertEquals(1, cliAgain.exitCode(), cliAgain.stdout());
      assertTrue(cliAgain.stderr().contains("already attached"), cliAgain.stderr());

      try (Compute c = Compute.start(cluster, root, "two")) {
        assertEquals(before, c.dump(), "pg_dump after the restore");
        c.psql("INSERT INTO t VALUES (100000, 'after restore')");
        assertEquals("after restore", c.psql("SELECT body FROM t WHERE id = 100000").strip());
        assertEquals("8", c.psql("SELECT nextval('s')").strip());
      }
    } finally {
      TempDirs.delete(root);
    }
  }

  /** A compute node process configured for the test timeline; closing stops it. */
  private record Compute(StrataProcess process, int httpPort, int pgPort) implements AutoCloseable {
    static Compute start(StorageCluster cluster, Path root, String name) throws Exception {
      int http = Ports.free(), pg = Ports.free();
      Path data = root.resolve("compute-" + name);
      Files.createDirectories(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
      StrataProcess p = StrataProcess.start("compute-" + name, List.of("compute"), List.of(),
          Map.of("strata.compute.http-port", http, "strata.compute.pg-port", pg, "strata.data-dir", data.toString(),
              "strata.compute.endpoint-id", "restore-" + name));
      Compute c = new Compute(p, http, pg);
      try {
        p.awaitReady(Duration.ofMinutes(2));
        ObjectNode doc = JSON.createObjectNode();
        ObjectNode spec = doc.putObject("spec");
        spec.put("tenant_id", TENANT).put("timeline_id", TIMELINE).put("mode", "Primary")
            .put("pageserver_connstring", "postgresql://compute@127.0.0.1:" + cluster.pageserverPgPort)
            .put("pageserver_http_url", "http://127.0.0.1:" + cluster.pageserverHttpPort).put("suspend_timeout_seconds", -1);
        var sks = spec.putArray("safekeeper_connstrings");
        for (int port : cluster.safekeeperPgPorts) sks.add("127.0.0.1:" + port);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/configure"))
            .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
            .POST(HttpRequest.BodyPublishers.ofString(doc.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "/configure: " + r.body());
        return c;
      } catch (Exception | Error e) {
        c.close();
        throw e;
      }
    }

    String url() {
      return "postgresql://" + ADMIN + "@127.0.0.1:" + pgPort + "/postgres";
    }

    String psql(String... commands) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("psql"), url(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
      for (String c : commands) cmd.addAll(List.of("-c", c));
      return run(cmd);
    }

    /** pg_dump without its random \restrict key lines (15.14+). */
    String dump() throws IOException, InterruptedException {
      return run(List.of(PostgresFixture.bin("pg_dump"), "--no-sync", "-d", url())).lines()
          .filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict ")).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
      return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
      try {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/terminate?mode=fast")).timeout(Duration.ofMinutes(2))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        // the process may already be gone; close() below ends it either way
      } finally {
        process.close();
      }
    }
  }
}
