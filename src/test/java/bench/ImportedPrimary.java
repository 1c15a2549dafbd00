package bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import testkit.PostgresFixture;
import testkit.StorageCluster;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * A vanilla PostgreSQL 15 primary whose WAL reaches a pageserver: three safekeeper processes and a
 * pageserver ({@link StorageCluster}), the primary's data dir imported as a timeline, then the
 * primary started with {@code synchronous_standby_names = 'walproposer'} and {@code strata
 * walproposer} streaming its WAL to the safekeepers (the flow of {@code PageserverOracleIT}).
 * Closing stops every process and deletes {@code root}.
 */
final class ImportedPrimary implements AutoCloseable {
  static final String TENANT = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
  static final String TIMELINE = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";

  final Path root;
  final StorageCluster cluster;
  final PostgresFixture pg;
  /** The timeline's last_record_lsn right after the import: where the proposer starts. */
  final Lsn importLsn;
  private final Process proposer;

  private ImportedPrimary(Path root, StorageCluster cluster, PostgresFixture pg, Lsn importLsn, Process proposer) {
    this.root = root;
    this.cluster = cluster;
    this.pg = pg;
    this.importLsn = importLsn;
    this.proposer = proposer;
  }

  /** The settings the benchmarks' primaries share: replication on, checkpoints rare, autovacuum off. */
  static PostgresFixture.Builder primaryBuilder() {
    return PostgresFixture.builder().set("wal_level", "replica").set("max_wal_senders", "10").set("max_replication_slots", "10")
        .set("hot_standby", "on").set("max_wal_size", "'8GB'").set("checkpoint_timeout", "'1h'").set("autovacuum", "off")
        .set("synchronous_commit", "on").set("shared_buffers", "'128MB'");
  }

  /**
   * Starts it all. {@code beforeImport}, when not null, runs on the primary before the import, with
   * the primary up and committing locally: what it writes reaches the pageserver as image layers,
   * not as WAL.
   */
  static ImportedPrimary start(Consumer<PostgresFixture> beforeImport) throws Exception {
    Path root = Files.createTempDirectory("strata-psbench-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    StorageCluster cluster = null;
    PostgresFixture pg = null;
    Process proposer = null;
    try {
      cluster = new StorageCluster(root).start();
      PostgresFixture.Builder b = primaryBuilder().set("synchronous_standby_names", "'walproposer'");
      if (beforeImport == null) {
        pg = b.initOnly().start();
      } else {
        pg = b.start();
        pg.psql("ALTER SYSTEM SET synchronous_standby_names = ''");
        pg.psql("SELECT pg_reload_conf()");
        beforeImport.accept(pg);
        pg.psql("ALTER SYSTEM RESET synchronous_standby_names");
        pg.stop("fast");
      }
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      long t0 = System.nanoTime();
      var info = cluster.post("/v1/tenant/" + TENANT + "/timeline",
          Map.of("new_timeline_id", TIMELINE, "import_pgdata", pg.dataDir().toString()), 201);
      System.out.printf("import of the data dir: %.1f s%n", (System.nanoTime() - t0) / 1e9);
      Lsn start = Lsn.parse(info.path("last_record_lsn").asText());
      pg.startServer();
      proposer = StrataProcess.launchCli(root.resolve("walproposer.log"), "walproposer",
          "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres", "--safekeepers", cluster.safekeeperList(),
          "--tenant", TENANT, "--timeline", TIMELINE, "--start-lsn", start.toString());
      pg.commitAsync("CREATE TABLE first_commit(x int)").get(120, TimeUnit.SECONDS);
      return new ImportedPrimary(root, cluster, pg, start, proposer);
    } catch (Exception | Error e) {
      if (proposer != null) proposer.destroyForcibly().waitFor();
      if (pg != null) pg.close();
      if (cluster != null) cluster.close();
      System.err.println("walproposer log:\n" + SyncClusters.tail(root.resolve("walproposer.log"), 40));
      TempDirs.delete(root);
      throw e;
    }
  }

  Lsn flushLsn() {
    return Lsn.parse(pg.psql("SELECT pg_current_wal_flush_lsn()").strip());
  }

  Lsn pageserverLsn() {
    return cluster.lastRecordLsn(TENANT, TIMELINE);
  }

  /** {@code pgbench ARGS…} against the primary over TCP; returns its output. */
  String pgbench(String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("pgbench", "-U", PostgresFixture.SUPERUSER, "-h", "127.0.0.1",
        "-p", Integer.toString(pg.port())));
    cmd.addAll(java.util.List.of(args));
    cmd.add("postgres");
    return pg.runTool(cmd, java.time.Duration.ofHours(1));
  }

  /** PUT …/checkpoint?compact=true: the in-memory layer flushed to a delta layer, L0s compacted. */
  void checkpoint() {
    var r = cluster.raw("PUT", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE + "/checkpoint?compact=true", null);
    if (r.statusCode() != 200) throw new IllegalStateException("checkpoint answered " + r.statusCode() + ": " + r.body());
  }

  @Override
  public void close() {
    try {
      proposer.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pg.close();
    cluster.close();
    TempDirs.delete(root);
  }
}
