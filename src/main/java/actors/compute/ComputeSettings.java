package actors.compute;

import actors.node.NodeSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import store.redo.RunAs;

/**
 * A compute node's settings, read once at start (keys under {@code strata.compute} and
 * {@code strata.postgres}). A bad value is rejected with a message naming the key.
 *
 * @param endpointDir         {@code <data-dir>/compute/<endpoint-id>}: holds pgdata, spec.json and postgres.log
 * @param adminUser           the superuser of the basebackup's cluster; the compute logs in as it over loopback
 * @param pageserverWait      how long startup waits for the pageserver to reach the start LSN
 * @param syncTimeout         how long one sync-safekeepers run may take (at start and at the end)
 * @param postgresStart       how long PostgreSQL may take to become ready
 * @param pageserverIo        socket read timeout while a basebackup streams
 * @param activityInterval    how often the activity monitor samples pg_stat_activity
 * @param requestTimeout      how long /configure and /terminate wait for the compute to settle
 * @param refreshRetry        wait before retrying a failed refresh of the configuration
 */
public record ComputeSettings(String endpointId, Path endpointDir, String listenHost, int httpPort, int pgPort,
    Path binDir, String osUser, String adminUser, Duration pageserverWait, Duration syncTimeout, Duration postgresStart,
    Duration pageserverIo, Duration activityInterval, Duration requestTimeout, Duration refreshRetry) {

  public ComputeSettings {
    Objects.requireNonNull(endpointDir, "endpointDir");
    if (!endpointId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("strata.compute.endpoint-id '" + endpointId + "' may use only letters, digits, '_', '.' and '-'");
    }
    if (adminUser.isEmpty()) throw new IllegalArgumentException("strata.compute.admin-user is empty");
  }

  public static ComputeSettings from(NodeSettings node, Config config) {
    String endpointId = string(config, "strata.compute.endpoint-id");
    String osUser = string(config, "strata.postgres.os-user");
    return new ComputeSettings(endpointId, node.dataDir().resolve("compute").resolve(endpointId), node.listenHost(),
        node.rolePorts().get("strata.compute.http-port"), node.rolePorts().get("strata.compute.pg-port"),
        Path.of(string(config, "strata.postgres.bin-dir")), osUser.isEmpty() ? RunAs.defaultUser() : osUser,
        string(config, "strata.compute.admin-user"),
        positive(config, "strata.compute.pageserver-wait-timeout"), positive(config, "strata.compute.sync-safekeepers-timeout"),
        positive(config, "strata.compute.postgres-start-timeout"), positive(config, "strata.compute.pageserver-io-timeout"),
        positive(config, "strata.compute.activity-interval"), positive(config, "strata.compute.request-timeout"),
        positive(config, "strata.compute.refresh-retry"));
  }

  public Path pgdata() {
    return endpointDir.resolve("pgdata");
  }

  public Path specFile() {
    return endpointDir.resolve("spec.json");
  }

  public Path postgresLog() {
    return endpointDir.resolve("postgres.log");
  }

  /** Where the compute itself reaches its PostgreSQL: loopback unless the listen host is a specific other address. */
  public String localHost() {
    return listenHost.equals("0.0.0.0") || listenHost.equals("::") || listenHost.isEmpty() ? "127.0.0.1" : listenHost;
  }

  public ComputeSettings withPorts(int http, int pg) {
    return new ComputeSettings(endpointId, endpointDir, listenHost, http, pg, binDir, osUser, adminUser, pageserverWait,
        syncTimeout, postgresStart, pageserverIo, activityInterval, requestTimeout, refreshRetry);
  }

  public ComputeSettings withAdminUser(String user) {
    return new ComputeSettings(endpointId, endpointDir, listenHost, httpPort, pgPort, binDir, osUser, user, pageserverWait,
        syncTimeout, postgresStart, pageserverIo, activityInterval, requestTimeout, refreshRetry);
  }

  private static String string(Config config, String key) {
    try {
      return config.getString(key).trim();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + " must be a string: " + e.getMessage());
    }
  }

  private static Duration positive(Config config, String key) {
    Duration d;
    try {
      d = config.getDuration(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + " must be a duration such as 30s: " + e.getMessage());
    }
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(key + " = " + d + " must be positive");
    return d;
  }
}
