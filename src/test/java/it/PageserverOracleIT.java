package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.OracleWorkload;
import testkit.PageOracle;
import testkit.PagestreamClient;
import testkit.PagestreamPageSource;
import testkit.PausedStandby;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.StorageCluster;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * The pageserver against PostgreSQL itself: a vanilla primary and the pageserver start from the
 * same initdb (imported), the primary's WAL goes through the walproposer and three safekeepers to
 * the pageserver, and every relation page the pageserver returns must equal, after PostgreSQL's
 * masking, the page of a standby paused at three intermediate LSNs and at the end. The pageserver
 * is killed (-9) and restarted in the middle of the workload.
 */
@ExtendWith(ProcessLogs.class)
class PageserverOracleIT {
  private static final String TENANT = "7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c";
  private static final String TIMELINE = "8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d8d";

  @Test
  void everyPageEqualsPostgresAtThreeIntermediateLsnsAndAtTheEnd() throws Exception {
    Path root = Files.createTempDirectory("strata-oracle-it-");
    Process proposer = null;
    try (StorageCluster cluster = new StorageCluster(root).start();
         PostgresFixture pg = OracleWorkload.configure(PostgresFixture.builder())
             .set("synchronous_standby_names", "'walproposer'").set("synchronous_commit", "on").initOnly().start()) {
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      var info = cluster.post("/v1/tenant/" + TENANT + "/timeline",
          Map.of("new_timeline_id", TIMELINE, "import_pgdata", pg.dataDir().toString()), 201);
      Lsn start = Lsn.parse(info.path("last_record_lsn").asText());
      pg.startServer();
      proposer = StrataProcess.launchCli(root.resolve("walproposer.log"), "walproposer",
          "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres", "--safekeepers", cluster.safekeeperList(),
          "--tenant", TENANT, "--timeline", TIMELINE, "--start-lsn", start.toString());
      pg.commitAsync("CREATE TABLE first_commit(x int)").get(90, java.util.concurrent.TimeUnit.SECONDS);

      try (PausedStandby standby = PausedStandby.create(pg)) {
        Map<OracleWorkload.Phase, Lsn> ends = new EnumMap<>(OracleWorkload.Phase.class);
        OracleWorkload.of(pg).runAll(e -> {
          ends.put(e.phase(), e.lsn());
          // A crash in the middle of ingest: the restarted pageserver resumes from disk_consistent_lsn.
          if (e.phase() == OracleWorkload.Phase.SUBTRANSACTIONS) cluster.crashAndRestartPageserver();
          // A checkpoint before each later stop lets the paused standby make a restartpoint there.
          if (e.phase() == OracleWorkload.Phase.MULTIXACTS || e.phase() == OracleWorkload.Phase.UNLOGGED) pg.psql("CHECKPOINT");
        });
        pg.psql("CHECKPOINT");
        Lsn end = Lsn.parse(pg.psql("SELECT pg_current_wal_flush_lsn()").strip());

        long pages = 0;
        List<OracleWorkload.Phase> stops = List.of(OracleWorkload.Phase.INDEXES, OracleWorkload.Phase.TWO_PHASE,
            OracleWorkload.Phase.PGBENCH_RUN);
        try (PagestreamClient client = PagestreamClient.open(cluster.pageserverPgPort, PagestreamClient.Startup.of("oracle"),
            TENANT, TIMELINE)) {
          for (OracleWorkload.Phase phase : stops) pages += compare(standby, ends.get(phase), false, client, "after " + phase);
          pages += compare(standby, end, true, client, "at the end");
        }
        // Compaction (L0 → L1 and image layers at disk_consistent_lsn) changes no answer.
        var compacted = cluster.raw("PUT", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/checkpoint?compact=true", "");
        assertEquals(200, compacted.statusCode(), compacted.body());
        var layers = cluster.get("/v1/tenant/" + TENANT + "/timeline/" + TIMELINE);
        System.out.println("oracle after compaction: physical size " + layers.path("current_physical_size").asLong());
        try (PagestreamClient client = PagestreamClient.open(cluster.pageserverPgPort, PagestreamClient.Startup.of("oracle"),
            TENANT, TIMELINE)) {
          // the standby still holds the pages at the end: compare against its files again, without replaying
          pages += compareFiles(standby, standby.replayLsn(), client, "at the end after compaction");
        }
        System.out.println("oracle: " + pages + " pages compared in total, 0 mismatches");
      }
    } finally {
      if (proposer != null) proposer.destroyForcibly().waitFor();
      TempDirs.delete(root);
    }
  }

  private static long compare(PausedStandby standby, Lsn target, boolean inclusive, PagestreamClient client, String when)
      throws Exception {
    return compareFiles(standby, standby.pauseAt(target, inclusive, Duration.ofMinutes(3)), client, when);
  }

  private static long compareFiles(PausedStandby standby, Lsn replayed, PagestreamClient client, String when) throws Exception {
    PageOracle.Report r = new PageOracle(standby.kinds()).compare(standby.dataDir(), new PagestreamPageSource(client), replayed.value());
    System.out.println("oracle " + when + " (" + replayed + "): " + r.summary());
    assertEquals(List.of(), r.mismatches(), when + ": " + r.summary());
    assertTrue(r.pagesCompared() > 100, when + ": " + r.summary());
    PageOracle.Report slru = new PageOracle(standby.kinds()).compareSlru(standby.dataDir(), new PagestreamPageSource(client), replayed.value());
    System.out.println("oracle slru " + when + ": " + slru.summary());
    assertEquals(List.of(), slru.mismatches(), when + " (SLRU): " + slru.summary());
    return r.pagesCompared() + slru.pagesCompared();
  }
}
