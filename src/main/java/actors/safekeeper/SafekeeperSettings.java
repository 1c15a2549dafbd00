package actors.safekeeper;

import actors.node.NodeSettings;
import java.nio.file.Path;

/** A safekeeper node's settings, read once from its config. */
public record SafekeeperSettings(long nodeId, Path dataDir, String listenHost, int pgPort, int httpPort) {
  public static SafekeeperSettings from(NodeSettings node) {
    return new SafekeeperSettings(node.nodeId(), node.dataDir().resolve("safekeeper"), node.listenHost(),
        node.rolePorts().get("strata.safekeeper.pg-port"), node.rolePorts().get("strata.safekeeper.http-port"));
  }

  public Path timelineDir(String tenantId, String timelineId) {
    return dataDir.resolve(tenantId).resolve(timelineId);
  }
}
