package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.OsUser;
import testkit.PagestreamClient;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.StorageCluster;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * GC against a real workload: a tenant with a small gc_horizon and no PITR window, heavy pgbench
 * updates with a forced compaction after each round, then do_gc. The timeline directory shrinks; a
 * branch made before the updates and an LSN inside the horizon still give the pg_dump the primary
 * gave at those points; a GetPage and a branch below the cutoff fail naming it.
 */
@ExtendWith(ProcessLogs.class)
class GcIT {
  private static final String TENANT = "6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a";
  private static final String TIMELINE = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
  private static final String BRANCH = "6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c";
  private static final long MARGIN = 256 << 10;

  @Test
  void gcShrinksTheTimelineAndKeepsBranchPointsAndTheHorizon() throws Exception {
    Path root = Files.createTempDirectory("strata-gc-it-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Process proposer = null;
    try (StorageCluster cluster = new StorageCluster(root).start();
         PostgresFixture pg = PostgresFixture.builder().set("synchronous_standby_names", "'walproposer'")
             .set("synchronous_commit", "on").set("wal_level", "replica").initOnly().start()) {
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT, "config", Map.of("gc_horizon", 1 << 20, "pitr_interval", "0s",
          "checkpoint_distance", 4 << 20, "gc_period", "1h", "compaction_period", "1h")), 201);
      var info = cluster.post("/v1/tenant/" + TENANT + "/timeline",
          Map.of("new_timeline_id", TIMELINE, "import_pgdata", pg.dataDir().toString()), 201);
      Lsn start = Lsn.parse(info.path("last_record_lsn").asText());
      pg.startServer();
      proposer = StrataProcess.launchCli(root.resolve("walproposer.log"), "walproposer",
          "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres", "--safekeepers", cluster.safekeeperList(),
          "--tenant", TENANT, "--timeline", TIMELINE, "--start-lsn", start.toString());
      PostgresFixture.run(List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "1", "-q", pg.connString("postgres")), Duration.ofMinutes(3));

      Lsn before = caughtUp(cluster, pg);
      String dumpBefore = dump(pg.port(), pg.root());
      cluster.post("/v1/tenant/" + TENANT + "/timeline", Map.of("new_timeline_id", BRANCH, "ancestor_timeline_id", TIMELINE,
          "ancestor_start_lsn", before.toString()), 201);

      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) pg.psql("UPDATE pgbench_accounts SET abalance = abalance + 1");
        caughtUp(cluster, pg);
        checkpoint(cluster);
      }
      // about 1 MB of WAL between the last images and the point inside the horizon
      pg.psql("CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 2000) g");
      Lsn beforeMid = caughtUp(cluster, pg);
      pg.psql("UPDATE pgbench_branches SET bbalance = bbalance + 7");
      Lsn mid = caughtUp(cluster, pg);
      String dumpMid = dump(pg.port(), pg.root());
      String between = pg.psql("SELECT clock_timestamp()").strip();
      pg.psql("UPDATE pgbench_tellers SET tbalance = tbalance + 3");
      Lsn last = caughtUp(cluster, pg);

      // lsn_by_timestamp: between the two updates is the end of the first; after all is future; before all is past
      var present = lsnByTimestamp(cluster, between);
      assertEquals("present", present.path("kind").asText(), present.toString());
      Lsn found = Lsn.parse(present.path("lsn").asText());
      assertTrue(found.value() > beforeMid.value() && found.value() <= mid.value(), found + " in (" + beforeMid + ", " + mid + "]");
      assertEquals("future", lsnByTimestamp(cluster, "2999-01-01T00:00:00Z").path("kind").asText());
      assertEquals("past", lsnByTimestamp(cluster, "2001-01-01 00:00:00+00").path("kind").asText());
      checkpoint(cluster);

      Path dir = find(root, TIMELINE);   // the pageserver's tenants/<t>/timelines/<tl>
      long duBefore = du(dir);
      var gc = cluster.raw("PUT", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/do_gc",
          "{\"gc_horizon\": " + (last.value() - mid.value() + MARGIN) + "}");
      assertEquals(200, gc.statusCode(), gc.body());
      System.out.println("gc: " + gc.body());
      long duAfter = du(dir);
      System.out.println("gc: timeline dir " + duBefore + " -> " + duAfter + " bytes");
      assertTrue(duAfter < duBefore, "disk usage falls: " + duBefore + " -> " + duAfter + " " + gc.body());
      Lsn cutoff = Lsn.parse(cluster.get("/v1/tenant/" + TENANT + "/timeline/" + TIMELINE).path("latest_gc_cutoff_lsn").asText());
      // cutoff = last_record_lsn - gc_horizon: PostgreSQL may have logged a little more (running_xacts) since
      assertTrue(cutoff.value() <= mid.value() && cutoff.value() >= mid.value() - MARGIN, "cutoff " + cutoff + " just below " + mid);

      assertEquals(dumpBefore, dumpAt(cluster, root, BRANCH, null), "the branch made before the updates");
      assertEquals(dumpMid, dumpAt(cluster, root, TIMELINE, mid), "an LSN inside the horizon");

      int db = Integer.parseInt(pg.psql("SELECT oid FROM pg_database WHERE datname = 'postgres'").strip());
      int rel = Integer.parseInt(pg.psql("SELECT pg_relation_filenode('pgbench_accounts')").strip());
      try (PagestreamClient client = PagestreamClient.open(cluster.pageserverPgPort, PagestreamClient.Startup.of("gc"), TENANT, TIMELINE)) {
        var e = assertThrows(PagestreamClient.ServerError.class,
            () -> client.getPage(new RelTag(1663, db, rel, ForkNumber.MAIN), 0, Lsn.of(before.value() + 8)));
        assertTrue(e.getMessage().contains("GC cutoff " + cutoff), e.getMessage());
      }
      var refused = cluster.raw("POST", "/v1/tenant/" + TENANT + "/timeline", "{\"ancestor_timeline_id\": \"" + TIMELINE
          + "\", \"ancestor_start_lsn\": \"" + Lsn.of(before.value() + 8) + "\"}");
      assertEquals(406, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("below the GC cutoff " + cutoff), refused.body());
    } finally {
      if (proposer != null) proposer.destroyForcibly().waitFor();
      TempDirs.delete(root);
    }
  }

  /** Waits until the pageserver has the primary's WAL up to its flush LSN; returns that LSN. */
  private static Lsn caughtUp(StorageCluster cluster, PostgresFixture pg) throws InterruptedException {
    Lsn target = Lsn.parse(pg.psql("SELECT pg_current_wal_flush_lsn()").strip());
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (cluster.lastRecordLsn(TENANT, TIMELINE).value() < target.value()) {
      assertTrue(System.nanoTime() < deadline, "pageserver reaches " + target);
      Thread.sleep(100);
    }
    return cluster.lastRecordLsn(TENANT, TIMELINE);
  }

  private static com.fasterxml.jackson.databind.JsonNode lsnByTimestamp(StorageCluster cluster, String timestamp) {
    return cluster.get("/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/get_lsn_by_timestamp?timestamp="
        + java.net.URLEncoder.encode(timestamp, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void checkpoint(StorageCluster cluster) {
    var r = cluster.raw("PUT", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/checkpoint?compact=true", "");
    assertEquals(200, r.statusCode(), r.body());
  }

  private static String dump(int port, Path socketDir) {
    return PostgresFixture.run(List.of(PostgresFixture.bin("pg_dump"), "--no-sync", "-h", "127.0.0.1", "-p", Integer.toString(port),
            "-U", PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(2))
        .lines().filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict "))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  /** pg_dump of a vanilla PostgreSQL started from the pageserver's basebackup at {@code lsn} (null: latest). */
  private static String dumpAt(StorageCluster cluster, Path root, String timeline, Lsn lsn) throws IOException {
    Path home = Files.createDirectories(root.resolve("restore-" + timeline + "-" + (lsn == null ? "latest" : lsn.value())));
    Path pgdata = home.resolve("pgdata");
    Files.createDirectories(pgdata);
    OsUser.own(home);
    Path tar = home.resolve("base.tar");
    try (OutputStream out = Files.newOutputStream(tar)) {
      PagestreamClient.basebackup(cluster.pageserverPgPort, PagestreamClient.Startup.of("gc"), TENANT, timeline, lsn, out);
    }
    PostgresFixture.run(List.of("tar", "-xf", tar.toString(), "-C", pgdata.toString()), Duration.ofMinutes(1));
    int port = Ports.free();
    Files.writeString(pgdata.resolve("postgresql.conf"), "port = " + port + "\nlisten_addresses = '127.0.0.1'\n"
        + "unix_socket_directories = '" + home + "'\nfsync = off\n");
    Files.writeString(pgdata.resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    OsUser.own(home);
    Files.setPosixFilePermissions(pgdata, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", pgdata.toString(), "-l", home.resolve("log").toString(), "-w",
        "-t", "60", "start"), Duration.ofSeconds(90));
    try {
      return dump(port, home);
    } finally {
      PostgresFixture.run(List.of(PostgresFixture.bin("pg_ctl"), "-D", pgdata.toString(), "-m", "immediate", "-w", "stop"),
          Duration.ofSeconds(60));
    }
  }

  private static long du(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      long n = 0;
      for (Path p : s.toList()) n += Files.size(p);
      return n;
    }
  }

  private static Path find(Path root, String name) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().equals(name) && Files.isDirectory(p)
              && p.getParent().getFileName().toString().equals("timelines")).findFirst()
          .orElseThrow(() -> new IOException("no timeline directory " + name + " under " + root));
    }
  }
}
