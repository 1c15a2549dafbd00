package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import testkit.PostgresFixture;
import testkit.StorageCluster;
import testkit.TempDirs;

/**
 * Branch creation on a sizeable timeline: pgbench -i at a scale is written into a vanilla
 * PostgreSQL, which is shut down and imported as a timeline (image layers on the pageserver), then
 * branched N times at its end over HTTP. Reports each branch's wall time (HTTP round trip
 * included) and the pageserver's disk usage before and after: a branch copies no data.
 *
 * <p>Arguments: [pgbench scale, default 70 (about 1 GB)] [branches, default 20].
 */
public final class BranchBench {
  private static final String TENANT = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
  private static final String TIMELINE = "b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3";

  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 70;
    int branches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    System.out.printf("BranchBench: scale %d, %d branches; %s%n", scale, branches, Machine.describe());
    Path root = Files.createTempDirectory("strata-branchbench-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the import's in-memory layer must fit the node's 512 MiB heap
    try (StorageCluster cluster = new StorageCluster(root).withPageserverConfig("strata.pageserver.checkpoint-distance", "64MiB").start();
        PostgresFixture pg = ImportedPrimary.primaryBuilder().start()) {
      pg.runTool(List.of("pgbench", "-U", PostgresFixture.SUPERUSER, "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-i", "-s",
          Integer.toString(scale), "-q", "postgres"), Duration.ofHours(1));
      pg.stop("fast");
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      cluster.post("/v1/tenant/" + TENANT + "/timeline", Map.of("new_timeline_id", TIMELINE, "import_pgdata", pg.dataDir().toString()), 201);

      String base = "/v1/tenant/" + TENANT + "/timeline";
      Path data = root.resolve("pageserver");
      long timelineBytes = du(data.resolve("pageserver/tenants/" + TENANT + "/timelines/" + TIMELINE));
      long before = du(data);
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < branches; i++) {
        long t0 = System.nanoTime();
        cluster.post(base, Map.of("ancestor_timeline_id", TIMELINE), 201);
        micros.add((System.nanoTime() - t0) / 1000);
      }
      long after = du(data);
      List<Long> sorted = micros.stream().sorted().toList();
      System.out.printf("timeline on disk: %.1f MiB; branch creation over HTTP: median %.1f ms, max %.1f ms, first %.1f ms; load %s%n",
          timelineBytes / 1048576.0, sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0,
          micros.get(0) / 1000.0, Machine.loadAverage());
      System.out.printf("pageserver disk: %d -> %d bytes (+%d for %d branches, %.0f bytes each)%n", before, after, after - before,
          branches, (after - before) / (double) branches);
    } finally {
      TempDirs.delete(root);
    }
  }

  private static long du(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
