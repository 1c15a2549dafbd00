package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import testkit.LocalMainTimeline;
import testkit.LocalStrata;
import testkit.PostgresFixture;
import testkit.StrataProcess;
import wire.xlog.Lsn;

/**
 * Issue 8's "after a pgbench run", on the cluster {@code ./strata up} starts (3 safekeepers, a
 * pageserver, a compute and the embedded S3): S3 ends up with every completed WAL segment, byte for
 * byte as the safekeepers wrote it, and every layer its latest {@code index_part.json} names; each
 * safekeeper then holds no segment wholly below its horizons and every segment above them.
 */
class BackupHorizonsIT {
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void s3HoldsEverySegmentAndLayerAndSafekeepersKeepOnlyWalAboveTheirHorizons() throws Exception {
    try (LocalStrata strata = LocalStrata.create("strata-backup-")) {
      String url = strata.up();
      strata.run(List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "6", "-q", url), 600);
      strata.run(List.of(PostgresFixture.bin("pgbench"), "-c", "2", "-t", "500", "-n", url), 600);
      Lsn endLsn = Lsn.parse(strata.psql(url, "SELECT pg_current_wal_lsn()").strip());
      LocalMainTimeline main = LocalMainTimeline.of(strata);

      // Everything the safekeepers have now, before any removal can reach it: the pageserver has not
      // flushed (checkpoint-distance 256 MiB), so remote_consistent_lsn is still below this WAL.
      Map<String, byte[]> written = new TreeMap<>();
      for (String name : main.segmentsOn(1)) {
        if (!name.endsWith(".partial")) written.put(name, Files.readAllBytes(main.safekeeperDir(1).resolve(name)));
      }

      main.awaitIngested(endLsn, Duration.ofSeconds(120));
      main.checkpointPageserver();
      Lsn lastCompleteEnd = Lsn.of(endLsn.value() / SEG * SEG);
      StrataProcess.await(Duration.ofSeconds(180), "backup_lsn and remote_consistent_lsn past " + lastCompleteEnd + " everywhere", () -> {
        for (int sk = 1; sk <= main.safekeeperCount(); sk++) {
          JsonNode s = main.safekeeperStatus(sk);
          if (Lsn.parse(s.path("backup_lsn").asText()).isBefore(lastCompleteEnd)) return false;
          if (Lsn.parse(s.path("remote_consistent_lsn").asText()).isBefore(lastCompleteEnd)) return false;
        }
        return true;
      });

      // S3: every completed segment, byte-identical to what the safekeeper wrote.
      Path s3 = strata.home().resolve("s3");
      Map<String, Path> objects = new HashMap<>();
      try (Stream<Path> all = Files.walk(s3)) {
        all.filter(Files::isRegularFile).forEach(p -> objects.put(s3.relativize(p).toString(), p));
      }
      String walPrefix = "strata/wal/" + main.tenant + "/" + main.timeline + "/";
      int segments = 0;
      for (Map.Entry<String, byte[]> e : written.entrySet()) {
        long segNo = Lsn.segmentNumberOf(e.getKey(), SEG);
        if ((segNo + 1) * SEG > lastCompleteEnd.value()) continue;   // not complete at the end of the run
        Path object = objects.get(walPrefix + e.getKey());
        assertTrue(object != null, "S3 holds segment " + e.getKey() + " (objects: " + objects.keySet().stream().filter(k -> k.startsWith(walPrefix)).count() + ")");
        assertArrayEquals(e.getValue(), Files.readAllBytes(object), "segment " + e.getKey() + " in S3 equals the safekeeper's");
        segments++;
      }
      assertTrue(segments >= 3, "the run completed several segments: " + segments);

      // S3: the newest index_part.json and every layer it names.
      String layerPrefix = "strata/tenants/" + main.tenant + "/timelines/" + main.timeline + "/";
      String index = objects.keySet().stream().filter(k -> k.startsWith(layerPrefix + "index_part.json")).sorted().reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no index_part.json under " + layerPrefix));
      JsonNode layers = JSON.readTree(Files.readAllBytes(objects.get(index))).path("layer_metadata");
      assertTrue(layers.size() > 0, "the index names layers");
      for (Iterator<Map.Entry<String, JsonNode>> it = layers.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> layer = it.next();
        String key = layerPrefix + layer.getKey() + "-" + String.format("%08x", layer.getValue().path("generation").asLong());
        Path object = objects.get(key);
        assertTrue(object != null, "S3 holds layer " + key);
        assertEquals(layer.getValue().path("file_size").asLong(), Files.size(object), "size of " + key);
      }

      // Each safekeeper: nothing wholly below min(backup, remote_consistent, peer horizon, commit), everything above.
      for (int i = 1; i <= main.safekeeperCount(); i++) {
        int sk = i;
        StrataProcess.await(Duration.ofSeconds(60), "sk" + sk + " to remove the segments below its horizons", () -> {
          long horizon = LocalMainTimeline.horizon(main.safekeeperStatus(sk));
          return main.segmentsOn(sk).stream().noneMatch(name -> (Lsn.segmentNumberOf(name, SEG) + 1) * SEG <= horizon);
        });
        JsonNode s = main.safekeeperStatus(sk);
        long horizon = LocalMainTimeline.horizon(s);
        long flush = Lsn.parse(s.path("flush_lsn").asText()).value();
        Set<String> kept = main.segmentsOn(sk);
        for (long segNo = horizon / SEG; segNo * SEG < flush; segNo++) {
          long n = segNo;
          assertTrue(kept.stream().anyMatch(name -> Lsn.segmentNumberOf(name, SEG) == n),
              "sk" + sk + " keeps segment " + Long.toHexString(n) + " at or above its horizon " + Lsn.of(horizon) + ": " + kept);
        }
        assertTrue(horizon >= lastCompleteEnd.value(), "sk" + sk + " horizon " + Lsn.of(horizon) + " reached " + lastCompleteEnd);
        System.out.printf("sk%d: horizon %s, flush %s, %d segment files kept%n", sk, Lsn.of(horizon), Lsn.of(flush), kept.size());
      }
      System.out.printf("backup: %d completed segments in S3 byte-identical, %d layers in %s%n", segments, layers.size(), index);
    }
  }
}
