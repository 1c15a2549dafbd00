package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import store.remote.EmbeddedS3;
import store.remote.ObjectInfo;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import testkit.ActorTestKitExtension;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.PrometheusScrape;
import testkit.ProcessLogs;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * Three safekeepers in one cluster with backup to an embedded S3, fed by a vanilla PostgreSQL
 * through the walproposer. S3 ends up holding every completed segment byte for byte as the
 * safekeepers have it; killing the uploader moves the job; an S3 outage stops backup_lsn and
 * removes nothing, and backup catches up once S3 is back.
 */
@ExtendWith(ProcessLogs.class)
class WalBackupIT {
  private static final String TENANT = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
  // 0x6b6b… mod 3 = 2: of nodes 1, 2, 3 the third uploads; then of 1, 2 (0x6b6b… mod 2 = 1) the second.
  private static final String TIMELINE = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration CATCH_UP = Duration.ofSeconds(180);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension(ConfigFactory.parseString(
      "akka.http.host-connection-pool { max-retries = 0, max-connection-backoff = 1s }"));

  private final int[] pgPorts = {Ports.free(), Ports.free(), Ports.free()};
  private final int[] httpPorts = {Ports.free(), Ports.free(), Ports.free()};
  private final StrataProcess[] sks = new StrataProcess[3];
  private Path root;
  private String endpoint;

  @Test
  void everyCompletedSegmentReachesS3ThroughUploaderDeathAndAnOutage() throws Exception {
    root = Files.createTempDirectory("strata-walbackup-it-");
    Path s3dir = root.resolve("s3");
    EmbeddedS3 s3 = EmbeddedS3.start(s3dir, 0, "strata", "strata-secret");
    int s3port = s3.port();
    endpoint = s3.endpoint();
    ObjectStore objects = ObjectStore.create(testKit.kit().system(), new S3Settings(endpoint, "strata", "us-east-1", "strata", "strata-secret"));
    Process proposer = null;
    try (PostgresFixture pg = PostgresFixture.builder()
        .set("wal_level", "replica").set("max_wal_senders", "4").set("max_replication_slots", "4")
        .set("synchronous_standby_names", "'walproposer'").set("synchronous_commit", "on").start()) {
      sks[0] = safekeeper(0, List.of());
      sks[0].awaitReady(START);
      for (int i = 1; i < 3; i++) sks[i] = safekeeper(i, List.of(sks[0].remotingPort()));
      for (StrataProcess sk : sks) sk.awaitReady(START);
      proposer = launchProposer(pg);

      // Phase 1: all three up. pgbench -i writes several segments.
      pg.runTool(List.of("pgbench", "-i", "-s", "3", "-q", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres", "postgres"),
          Duration.ofMinutes(5));
      pg.psql("SELECT pg_switch_wal()");
      pg.commitAsync("CREATE TABLE after_switch(id int)").get(60, TimeUnit.SECONDS);
      Lsn commit = awaitSameCommit(List.of(0, 1, 2));
      assertTrue(commit.value() / SEG >= 3, "several complete segments, commit_lsn " + commit);
      awaitBackedUpTo(List.of(0, 1, 2), commit);
      assertS3HoldsEveryCompletedSegment(objects, 0, backupLsn(2));

      // Phase 2: kill -9 the uploader (node 3); node 2 takes over.
      sks[2].kill();
      pg.runTool(List.of("pgbench", "-t", "300", "-c", "2", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres", "postgres"),
          Duration.ofMinutes(5));
      pg.psql("SELECT pg_switch_wal()");
      pg.commitAsync("INSERT INTO after_switch VALUES (2)").get(60, TimeUnit.SECONDS);
      commit = awaitSameCommit(List.of(0, 1));
      awaitBackedUpTo(List.of(0, 1), commit);
      assertS3HoldsEveryCompletedSegment(objects, 0, backupLsn(1));
      assertS3HoldsEveryCompletedSegment(objects, 1, backupLsn(1));

      // Phase 3: S3 goes away. WAL goes on; backup_lsn stays and no local segment is removed.
      Lsn backupBefore = backupLsn(1);
      List<String> localBefore = segmentFiles(1);
      double failuresBefore = backupFailures(1);
      s3.close();
      pg.runTool(List.of("pgbench", "-t", "300", "-c", "2", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres", "postgres"),
          Duration.ofMinutes(5));
      pg.psql("SELECT pg_switch_wal()");
      pg.commitAsync("INSERT INTO after_switch VALUES (3)").get(60, TimeUnit.SECONDS);
      Lsn commitDuringOutage = awaitSameCommit(List.of(0, 1));
      assertTrue(commitDuringOutage.value() / SEG > backupBefore.value() / SEG, "a new complete segment during the outage");
      StrataProcess.await(CATCH_UP, "an upload attempt failing during the outage", () -> backupFailures(1) > failuresBefore);
      assertEquals(backupBefore, backupLsn(1), "backup_lsn does not move while S3 is down");
      assertEquals(backupBefore, backupLsn(0));
      assertTrue(segmentFiles(1).containsAll(localBefore), "nothing removed during the outage");

      // Phase 4: S3 is back on the same port and directory; backup catches up.
      s3 = EmbeddedS3.start(s3dir, s3port, "strata", "strata-secret");
      awaitBackedUpTo(List.of(0, 1), commitDuringOutage);
      assertS3HoldsEveryCompletedSegment(objects, 0, backupLsn(1));
      assertS3HoldsEveryCompletedSegment(objects, 1, backupLsn(1));
    } finally {
      if (proposer != null) proposer.destroyForcibly();
      for (StrataProcess sk : sks) if (sk != null) sk.close();
      s3.close();
      TempDirs.delete(root);
    }
  }

  private StrataProcess safekeeper(int i, List<Integer> seeds) {
    return StrataProcess.start("sk" + (i + 1), List.of("safekeeper"), seeds, Map.of(
        "strata.safekeeper.pg-port", pgPorts[i], "strata.safekeeper.http-port", httpPorts[i],
        "strata.data-dir", root.resolve("sk" + (i + 1)).toString(), "strata.node-id", Integer.toString(i + 1),
        "strata.s3.endpoint", endpoint, "strata.s3.retry.max-attempts", 3, "strata.s3.retry.min-backoff", "100ms",
        "strata.s3.retry.max-backoff", "1s"));
  }

  private Process launchProposer(PostgresFixture pg) throws IOException {
    String safekeepers = "127.0.0.1:" + pgPorts[0] + ",127.0.0.1:" + pgPorts[1] + ",127.0.0.1:" + pgPorts[2];
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", StrataProcess.jar().toString(), "walproposer", "--postgres",
        "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres", "--safekeepers", safekeepers,
        "--tenant", TENANT, "--timeline", TIMELINE));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve("walproposer.log").toFile()).start();
  }

  private JsonNode status(int i) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i]
          + "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new AssertionError("timeline status on sk" + (i + 1) + ": " + r.statusCode() + " " + r.body());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Lsn backupLsn(int i) {
    return Lsn.parse(status(i).path("backup_lsn").asText());
  }

  private double backupFailures(int i) {
    return PrometheusScrape.sum("http://127.0.0.1:" + httpPorts[i], "strata_safekeeper_backup_failures_total");
  }

  private Lsn awaitSameCommit(List<Integer> nodes) {
    Lsn[] agreed = new Lsn[1];
    StrataProcess.await(CATCH_UP, "the same commit_lsn on safekeepers " + nodes, () -> {
      Lsn first = null;
      for (int i : nodes) {
        JsonNode s = status(i);
        Lsn c = Lsn.parse(s.path("commit_lsn").asText());
        if (!c.equals(Lsn.parse(s.path("flush_lsn").asText())) || (first != null && !c.equals(first))) return false;
        first = c;
      }
      agreed[0] = first;
      return true;
    });
    return agreed[0];
  }

  /** Waits until every node's backup_lsn is at the start of commit's segment: all complete segments are in S3. */
  private void awaitBackedUpTo(List<Integer> nodes, Lsn commit) {
    Lsn target = Lsn.of(commit.value() / SEG * SEG);
    StrataProcess.await(CATCH_UP, "backup_lsn " + target + " on " + nodes, () ->
        nodes.stream().allMatch(i -> !backupLsn(i).isBefore(target)));
  }

  private List<String> segmentFiles(int i) throws IOException {
    try (var files = Files.list(timelineDir(i))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).sorted().toList();
    }
  }

  private Path timelineDir(int i) {
    return root.resolve("sk" + (i + 1)).resolve("safekeeper").resolve(TENANT).resolve(TIMELINE);
  }

  /** Every complete segment of node i below {@code upTo} is in S3 under its name, with the same bytes. */
  private void assertS3HoldsEveryCompletedSegment(ObjectStore objects, int i, Lsn upTo) throws Exception {
    List<ObjectInfo> listed = objects.list("wal/" + TENANT + "/" + TIMELINE + "/").toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<String> keys = listed.stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1)).toList();
    int checked = 0;
    for (String name : segmentFiles(i)) {
      long segNo = Lsn.segmentNumberOf(name, SEG);
      if ((segNo + 1) * SEG > upTo.value()) continue;
      assertTrue(keys.contains(name), "S3 holds segment " + name + "; it has " + keys);
      byte[] remote = objects.get("wal/" + TENANT + "/" + TIMELINE + "/" + name).toCompletableFuture().get(60, TimeUnit.SECONDS).orElseThrow();
      assertArrayEquals(Files.readAllBytes(timelineDir(i).resolve(name)), remote, "segment " + name + " in S3 equals sk" + (i + 1) + "'s");
      checked++;
    }
    assertTrue(checked >= 1, "at least one complete segment compared on sk" + (i + 1));
  }
}
