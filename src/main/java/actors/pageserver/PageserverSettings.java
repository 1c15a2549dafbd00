package actors.pageserver;

import actors.node.NodeSettings;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/** A pageserver node's settings, read once from its config; bad values name their key. */
public record PageserverSettings(
    long nodeId,
    Path dataDir,
    String listenHost,
    int pgPort,
    int httpPort,
    Path postgresBinDir,
    String osUser,
    Duration waitLsnTimeout,
    long checkpointDistance,
    Duration checkpointTimeout,
    int compactionThreshold,
    Duration compactionPeriod,
    long compactionTargetSize,
    int imageCreationThreshold,
    int ingestBatchRecords,
    long gcHorizon,
    Duration pitrInterval,
    Duration gcPeriod,
    long warmupWal) {

  public static PageserverSettings from(NodeSettings node, Config config) {
    Config c = config.getConfig("strata.pageserver");
    return new PageserverSettings(node.nodeId(), node.dataDir().resolve("pageserver"), node.listenHost(),
        node.rolePorts().get("strata.pageserver.pg-port"), node.rolePorts().get("strata.pageserver.http-port"),
        Path.of(config.getString("strata.postgres.bin-dir")), osUser(config),
        positive(c, "wait-lsn-timeout"), bytes(c, "checkpoint-distance"), positive(c, "checkpoint-timeout"),
        atLeast(c, "compaction-threshold", 2), positive(c, "compaction-period"), bytes(c, "compaction-target-size"),
        atLeast(c, "image-creation-threshold", 1), atLeast(c, "ingest-batch-records", 1),
        c.getBytes("gc-horizon"), notNegative(c, "pitr-interval"), positive(c, "gc-period"), warmupWal(c));
  }

  public Path tenantsDir() {
    return dataDir.resolve("tenants");
  }

  public Path tenantDir(String tenantId) {
    return tenantsDir().resolve(tenantId);
  }

  public Path timelineDir(String tenantId, String timelineId) {
    return tenantDir(tenantId).resolve("timelines").resolve(timelineId);
  }

  /** PostgreSQL refuses to run as root: redo and initdb run as this user. */
  static String osUser(Config config) {
    String configured = config.getString("strata.postgres.os-user");
    if (!configured.isEmpty()) return configured;
    String me = System.getProperty("user.name");
    return "root".equals(me) ? "strata" : me;
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("strata.pageserver." + key + " must be positive, got " + d);
    return d;
  }

  private static Duration notNegative(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative()) throw new IllegalArgumentException("strata.pageserver." + key + " must not be negative, got " + d);
    return d;
  }

  private static long bytes(Config c, String key) {
    long b = c.getBytes(key);
    if (b < 8192) throw new IllegalArgumentException("strata.pageserver." + key + " must be at least 8 KiB, got " + b);
    return b;
  }

  private static long warmupWal(Config c) {
    long b = c.getBytes("warmup-wal");
    if (b < 0 || b > 256L << 20) throw new IllegalArgumentException("strata.pageserver.warmup-wal must be 0 to 256 MiB, got " + b);
    return b;
  }

  private static int atLeast(Config c, String key, int min) {
    int v = c.getInt(key);
    if (v < min) throw new IllegalArgumentException("strata.pageserver." + key + " must be at least " + min + ", got " + v);
    return v;
  }
}
