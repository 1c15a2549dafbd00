package bench;

import actors.compute.ComputeSpec;
import actors.compute.PageserverClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import testkit.OsUser;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.StorageCluster;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * Cold start of a compute: a compute node process that is up and has no spec gets {@code POST
 * /configure} for a timeline holding a database of the given size; the time is from that request
 * to the first query ({@code SELECT 1}) answered by its PostgreSQL, with the spans of {@code GET
 * /metrics.json}. Beside it, in the same run, the basebackup itself: the pageserver's
 * ({@code basebackup <tenant> <timeline> latest --no-wal-padding}, as a compute asks, read by a Java client) against {@code pg_basebackup -Ft
 * -D - -X none --no-manifest -c fast} of the same data from the vanilla PostgreSQL it was imported
 * from (its stdout read by the same Java code), each the median of three, alternating.
 *
 * <p>The data is one table of rows of about 1 KB filled to the size, in a vanilla PostgreSQL 15
 * that is then shut down and imported (its pages are images in the pageserver). The cluster also
 * holds template0, template1 and postgres (about 22 MB together), which every basebackup carries.
 *
 * <p>Arguments: [database sizes in MB, default 10,100].
 */
public final class ComputeStartBench {
  private static final String TENANT = "c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The /metrics.json spans shown, in ms. */
  private static final List<String> SPANS = List.of("wait_for_spec_ms", "sync_safekeepers_ms", "wait_for_pageserver_ms", "basebackup_ms",
      "config_ms", "start_postgres_ms", "apply_spec_ms", "total_startup_ms");

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = Arrays.stream((args.length > 0 ? args[0] : "10,100").split(",")).map(Integer::parseInt).toList();
    System.out.printf("ComputeStartBench: sizes %s MB; %s%n", sizes, Machine.describe());
    Path root = Files.createTempDirectory("strata-computebench-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (StorageCluster cluster = new StorageCluster(root).start()) {
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < sizes.size(); i++) rows.add(one(cluster, root, sizes.get(i), String.format("c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6%02x", i)));
      System.out.println("| table MB | DB postgres MB | all DBs MB | basebackup MB | configure→SELECT 1 | configure | "
          + String.join(" | ", SPANS) + " | pageserver basebackup | pg_basebackup | compute JVM→/ready |");
      System.out.println("|---".repeat(9 + SPANS.size()) + "|");
      rows.forEach(System.out::println);
    } finally {
      TempDirs.delete(root);
    }
  }

  private static String one(StorageCluster cluster, Path root, int mb, String timeline) throws Exception {
    try (PostgresFixture pg = ImportedPrimary.primaryBuilder().start()) {
      long rowsNeeded = mb * 896L;   // rows of 1,032 bytes: 7 to a page
      pg.psql("CREATE TABLE filler(id int, pad text)");
      pg.psql("INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, " + rowsNeeded + ") g");
      pg.psql("CHECKPOINT");
      double dbMb = Long.parseLong(pg.psql("SELECT pg_database_size('postgres')").strip()) / 1e6;
      double clusterMb = Long.parseLong(pg.psql("SELECT sum(pg_database_size(oid)) FROM pg_database").strip()) / 1e6;
      pg.stop("fast");
      cluster.post("/v1/tenant/" + TENANT + "/timeline", Map.of("new_timeline_id", timeline, "import_pgdata", pg.dataDir().toString()), 201);
      pg.startServer();

      PageserverClient computesClient = new PageserverClient(new ComputeSpec.Pageserver("127.0.0.1", cluster.pageserverPgPort, "bench",
          Optional.empty(), URI.create("http://127.0.0.1:" + cluster.pageserverHttpPort)), Duration.ofMinutes(5));
      Lsn latest = computesClient.lastRecordLsn(TENANT, timeline).toCompletableFuture().join();
      List<Long> ours = new ArrayList<>(), theirs = new ArrayList<>(), ourCpu = new ArrayList<>();
      long bytes = 0, theirBytes = 0;
      for (int round = 0; round < 3; round++) {
        long t = System.nanoTime(), cpu = cluster.pageserver().cpuNanos();
        // read as a compute reads it (its client, with --no-wal-padding), and counted as pg_basebackup's output is
        try (InputStream tar = computesClient.open(TENANT, timeline, latest, false); CountingSink sink = new CountingSink()) {
          tar.transferTo(sink);
          bytes = sink.bytes;
        }
        ours.add(System.nanoTime() - t);
        ourCpu.add(cluster.pageserver().cpuNanos() - cpu);
        t = System.nanoTime();
        theirBytes = pgBasebackup(pg);
        theirs.add(System.nanoTime() - t);
      }

      System.out.printf("%d MB: basebackup tar %.1f MB from the pageserver, %.1f MB from pg_basebackup; ms, pageserver %s (its JVM's CPU %s),"
          + " pg_basebackup %s%n", mb, bytes / 1e6, theirBytes / 1e6, ours.stream().map(n -> n / 1_000_000).toList(),
          ourCpu.stream().map(n -> n / 1_000_000).toList(), theirs.stream().map(n -> n / 1_000_000).toList());
      int http = Ports.free(), pgPort = Ports.free();
      Path data = root.resolve("compute-" + mb);
      Files.createDirectories(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
      long jvm = System.nanoTime();
      try (StrataProcess compute = StrataProcess.start("compute-" + mb, List.of("compute"), List.of(),
          Map.of("strata.compute.http-port", http, "strata.compute.pg-port", pgPort, "strata.data-dir", data.toString(),
              "strata.compute.admin-user", PostgresFixture.SUPERUSER, "strata.compute.endpoint-id", "bench" + mb))) {
        compute.awaitReady(Duration.ofMinutes(2));
        long ready = System.nanoTime() - jvm;
        long t0 = System.nanoTime();
        HttpResponse<String> configured = post(http, "/configure", spec(cluster, timeline).toString());
        long configuredAt = System.nanoTime();
        if (configured.statusCode() != 200) throw new IllegalStateException("/configure answered " + configured.statusCode() + ": " + configured.body());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=" + PostgresFixture.SUPERUSER);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
          rs.next();
        }
        long firstQuery = System.nanoTime() - t0;
        JsonNode spans = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/metrics.json")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=" + PostgresFixture.SUPERUSER);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM filler")) {
          rs.next();
          if (rs.getLong(1) != rowsNeeded) throw new IllegalStateException("the compute sees " + rs.getLong(1) + " rows, not " + rowsNeeded);
        }
        post(http, "/terminate?mode=fast", "");
        System.out.printf("%d MB: %s%n", mb, spans);
        StringBuilder spanCells = new StringBuilder();
        for (String span : SPANS) spanCells.append(spans.path(span).asText("-")).append(" | ");
        return String.format("| %d | %.1f | %.1f | %.1f | %d | %d | %s%d | %d | %d |", mb, dbMb, clusterMb, spans.path("basebackup_bytes").asLong() / 1e6,
            firstQuery / 1_000_000, (configuredAt - t0) / 1_000_000, spanCells, median(ours) / 1_000_000, median(theirs) / 1_000_000,
            ready / 1_000_000);
      }
    }
  }

  private static ObjectNode spec(StorageCluster cluster, String timeline) {
    ObjectNode doc = JSON.createObjectNode();
    ObjectNode spec = doc.putObject("spec");
    spec.put("tenant_id", TENANT).put("timeline_id", timeline).put("mode", "Primary")
        .put("pageserver_connstring", "postgresql://compute@127.0.0.1:" + cluster.pageserverPgPort)
        .put("pageserver_http_url", "http://127.0.0.1:" + cluster.pageserverHttpPort).put("suspend_timeout_seconds", -1);
    var sks = spec.putArray("safekeeper_connstrings");
    for (int port : cluster.safekeeperPgPorts) sks.add("127.0.0.1:" + port);
    return doc;
  }

  /** pg_basebackup to its stdout as a tar, read here and counted. */
  private static long pgBasebackup(PostgresFixture pg) throws IOException, InterruptedException {
    List<String> cmd = OsUser.command(List.of(PostgresFixture.bin("pg_basebackup"), "-d", pg.connString("postgres"), "-D", "-", "-Ft",
        "-X", "none", "--no-manifest", "-c", "fast"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long bytes;
    try (InputStream in = p.getInputStream(); CountingSink sink = new CountingSink()) {
      in.transferTo(sink);
      bytes = sink.bytes;
    }
    if (p.waitFor() != 0) throw new IllegalStateException("pg_basebackup exited with " + p.exitValue());
    return bytes;
  }

  private static HttpResponse<String> post(int port, String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
        .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
