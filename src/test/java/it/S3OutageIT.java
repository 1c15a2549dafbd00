package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import testkit.LocalMainTimeline;
import testkit.LocalStrata;
import testkit.StrataProcess;
import wire.xlog.Lsn;

/**
 * Issue 8's S3 outage, on the cluster {@code ./strata up} starts: the embedded S3 server is killed
 * in the middle of a run. Commits go on; the safekeepers' and the pageserver's uploads fail and are
 * retried; backup_lsn and remote_consistent_lsn stand still and no safekeeper removes a segment.
 * After {@code ./strata up} restarts S3, both catch up past the WAL written during the outage, S3
 * holds those segments byte for byte, and the safekeepers remove what is now below their horizons.
 */
class S3OutageIT {
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;
  /** About 40 MB of WAL: more than two segments complete during each batch. */
  private static final String BATCH = "INSERT INTO filler SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 200000) g";

  @Test
  void uploadsWaitOutAnOutageWithoutLosingOrRemovingAnythingAndCatchUpAfter() throws Exception {
    try (LocalStrata strata = LocalStrata.create("strata-s3outage-")) {
      String url = strata.up();
      strata.psql(url, "CREATE TABLE filler (id int, payload text)", BATCH);
      LocalMainTimeline main = LocalMainTimeline.of(strata);
      Lsn before = Lsn.parse(strata.psql(url, "SELECT pg_current_wal_lsn()").strip());
      main.awaitIngested(before, Duration.ofMinutes(2));
      main.checkpointPageserver();
      awaitBackedUp(main, segmentStart(before), Duration.ofMinutes(3));
      // Settled: the pageserver's index covers its last flush and every safekeeper has heard so.
      StrataProcess.await(Duration.ofMinutes(1), "remote_consistent_lsn = disk_consistent_lsn, known to every safekeeper", () -> {
        JsonNode ps = main.pageserverInfo();
        String remote = ps.path("remote_consistent_lsn").asText();
        if (!remote.equals(ps.path("disk_consistent_lsn").asText())) return false;
        for (int sk = 1; sk <= main.safekeeperCount(); sk++) {
          if (!remote.equals(main.safekeeperStatus(sk).path("remote_consistent_lsn").asText())) return false;
        }
        return true;
      });

      // The outage: kill -9 the S3 server, then write more WAL and flush it to a layer on the pageserver.
      Map<Integer, JsonNode> atOutage = new TreeMap<>();
      for (int sk = 1; sk <= main.safekeeperCount(); sk++) atOutage.put(sk, main.safekeeperStatus(sk));
      Lsn remoteAtOutage = Lsn.parse(main.pageserverInfo().path("remote_consistent_lsn").asText());
      killS3(strata);
      double psFailures = main.pageserverMetric("strata_pageserver_remote_upload_failures_total");
      double skFailures = safekeeperFailures(main);

      strata.psql(url, BATCH, BATCH);
      Lsn during = Lsn.parse(strata.psql(url, "SELECT pg_current_wal_lsn()").strip());
      assertTrue(during.value() / SEG >= before.value() / SEG + 2, "the outage's WAL completes segments: " + before + " → " + during);
      main.awaitIngested(during, Duration.ofMinutes(2));
      main.checkpointPageserver();
      assertTrue(Lsn.parse(main.pageserverInfo().path("disk_consistent_lsn").asText()).compareTo(during) >= 0,
          "the pageserver flushed the outage's WAL to a layer, so it has something to upload");
      Map<Integer, TreeSet<String>> segmentsDuring = new TreeMap<>();
      Map<String, byte[]> written = new TreeMap<>();
      for (int sk = 1; sk <= main.safekeeperCount(); sk++) segmentsDuring.put(sk, main.segmentsOn(sk));
      for (String name : segmentsDuring.get(1)) {
        if (!name.endsWith(".partial")) written.put(name, Files.readAllBytes(main.safekeeperDir(1).resolve(name)));
      }
      // A failure counts once the object store's own retries with backoff (8 attempts, about 23 s) are spent.
      StrataProcess.await(Duration.ofMinutes(2), "uploads to fail on the pageserver and the uploading safekeeper",
          () -> main.pageserverMetric("strata_pageserver_remote_upload_failures_total") > psFailures
              && safekeeperFailures(main) > skFailures);

      for (int sk = 1; sk <= main.safekeeperCount(); sk++) {
        JsonNode now = main.safekeeperStatus(sk);
        for (String field : List.of("backup_lsn", "remote_consistent_lsn")) {
          assertEquals(atOutage.get(sk).path(field).asText(), now.path(field).asText(), "sk" + sk + " " + field + " during the outage");
        }
        assertTrue(Lsn.parse(now.path("commit_lsn").asText()).compareTo(during) >= 0, "sk" + sk + " committed the outage's WAL");
        TreeSet<String> kept = main.segmentsOn(sk);
        assertTrue(kept.containsAll(completed(segmentsDuring.get(sk))), "sk" + sk + " removed nothing during the outage: " + kept);
      }
      assertEquals(remoteAtOutage.toString(), main.pageserverInfo().path("remote_consistent_lsn").asText(),
          "the pageserver's remote_consistent_lsn during the outage");

      // S3 back: everything catches up, and only then is WAL removed.
      strata.strata("up");
      Lsn lastComplete = segmentStart(during);
      awaitBackedUp(main, lastComplete, Duration.ofMinutes(3));
      assertTrue(Lsn.parse(main.pageserverInfo().path("remote_consistent_lsn").asText()).compareTo(during) >= 0,
          "remote_consistent_lsn reached the outage's WAL");
      Path s3 = strata.home().resolve("s3").resolve("strata").resolve("wal").resolve(main.tenant).resolve(main.timeline);
      int checked = 0;
      for (Map.Entry<String, byte[]> e : written.entrySet()) {
        if (Lsn.segmentNumberOf(e.getKey(), SEG) < before.value() / SEG) continue;   // from before the outage
        Path object = s3.resolve(e.getKey());
        assertTrue(Files.exists(object), "S3 holds segment " + e.getKey() + " written during the outage");
        assertArrayEquals(e.getValue(), Files.readAllBytes(object), "segment " + e.getKey() + " in S3 equals the safekeeper's");
        checked++;
      }
      assertTrue(checked >= 2, "segments of the outage checked in S3: " + checked);
      for (int sk = 1; sk <= main.safekeeperCount(); sk++) {
        int n = sk;
        StrataProcess.await(Duration.ofMinutes(1), "sk" + n + " to remove the segments now below its horizon", () -> {
          long horizon = LocalMainTimeline.horizon(main.safekeeperStatus(n));
          return main.segmentsOn(n).stream().noneMatch(name -> (Lsn.segmentNumberOf(name, SEG) + 1) * SEG <= horizon);
        });
      }
      System.out.printf("S3 outage: backup and remote_consistent_lsn held at the outage, caught up to %s; %d segments checked%n",
          lastComplete, checked);
    }
  }

  private static void killS3(LocalStrata strata) throws Exception {
    long pid = Long.parseLong(Files.readString(strata.home().resolve("pids").resolve("s3.pid")).strip());
    ProcessHandle s3 = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("the S3 server " + pid + " runs"));
    s3.destroyForcibly();
    s3.onExit().get();
  }

  private static double safekeeperFailures(LocalMainTimeline main) {
    double sum = 0;
    for (int sk = 1; sk <= main.safekeeperCount(); sk++) sum += main.safekeeperMetric(sk, "strata_safekeeper_backup_failures_total");
    return sum;
  }

  /** Backup and remote_consistent_lsn at or past {@code lsn} on every safekeeper; a timeout shows every status. */
  private static void awaitBackedUp(LocalMainTimeline main, Lsn lsn, Duration timeout) {
    try {
      awaitBackedUpOnly(main, lsn, timeout);
    } catch (AssertionError e) {
      StringBuilder sb = new StringBuilder(e.getMessage()).append("; pageserver: ").append(main.pageserverInfo());
      for (int sk = 1; sk <= main.safekeeperCount(); sk++) sb.append("; sk").append(sk).append(": ").append(main.safekeeperStatus(sk));
      throw new AssertionError(sb.toString(), e);
    }
  }

  private static void awaitBackedUpOnly(LocalMainTimeline main, Lsn lsn, Duration timeout) {
    StrataProcess.await(timeout, "backup_lsn and remote_consistent_lsn at " + lsn + " on every safekeeper", () -> {
      for (int sk = 1; sk <= main.safekeeperCount(); sk++) {
        JsonNode s = main.safekeeperStatus(sk);
        if (Lsn.parse(s.path("backup_lsn").asText()).isBefore(lsn)) return false;
        if (Lsn.parse(s.path("remote_consistent_lsn").asText()).isBefore(lsn)) return false;
      }
      return true;
    });
  }

  private static Lsn segmentStart(Lsn lsn) {
    return Lsn.of(lsn.value() / SEG * SEG);
  }

  private static TreeSet<String> completed(TreeSet<String> names) {
    TreeSet<String> out = new TreeSet<>();
    for (String n : names) if (!n.endsWith(".partial")) out.add(n);
    return out;
  }
}
