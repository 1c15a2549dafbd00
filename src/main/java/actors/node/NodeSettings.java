package actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every node reads from its config, once, at start. Invalid values are rejected with an
 * IllegalArgumentException whose message names the key and what is allowed.
 */
public record NodeSettings(
    long nodeId,
    Set<Role> roles,
    Path dataDir,
    String listenHost,
    int remotingPort,
    String managementHost,
    int managementPort,
    Map<String, Integer> rolePorts) {

  public static NodeSettings from(Config config) {
    Set<Role> roles = roles(config);
    int remotingPort = port(config, "akka.remote.artery.canonical.port");
    Map<String, Integer> rolePorts = new LinkedHashMap<>();
    for (Role role : roles) {
      for (String key : portKeys(role)) rolePorts.put(key, port(config, key));
    }
    String nodeIdText = string(config, "strata.node-id");
    long nodeId;
    if (nodeIdText.isEmpty()) {
      nodeId = remotingPort;
    } else {
      try {
        nodeId = Long.parseUnsignedLong(nodeIdText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("strata.node-id '" + nodeIdText + "' is not an unsigned 64-bit integer");
      }
    }
    String dataDirText = string(config, "strata.data-dir");
    Path dataDir = dataDirText.isEmpty() ? Path.of(".strata", "data", "node-" + remotingPort) : Path.of(dataDirText);
    return new NodeSettings(nodeId, roles, dataDir.toAbsolutePath().normalize(), string(config, "strata.listen-host"),
        remotingPort, string(config, "akka.management.http.hostname"), port(config, "akka.management.http.port"), rolePorts);
  }

  /** The strata.* port keys a role binds. */
  public static List<String> portKeys(Role role) {
    return switch (role) {
      case SAFEKEEPER -> List.of("strata.safekeeper.pg-port", "strata.safekeeper.http-port");
      case PAGESERVER -> List.of("strata.pageserver.pg-port", "strata.pageserver.http-port");
      case COMPUTE -> List.of("strata.compute.http-port", "strata.compute.pg-port");
      case CONTROLLER -> List.of();
    };
  }

  private static Set<Role> roles(Config config) {
    List<String> names;
    try {
      names = config.getStringList("akka.cluster.roles");
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException("akka.cluster.roles must be a list of role names; valid roles: " + Role.validNames());
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("akka.cluster.roles is empty; valid roles: " + Role.validNames());
    }
    List<String> unknown = new ArrayList<>();
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      Role.parse(name).ifPresentOrElse(roles::add, () -> unknown.add(name));
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown role " + String.join(", ", unknown.stream().map(n -> "'" + n + "'").toList())
          + " in akka.cluster.roles; valid roles: " + Role.validNames());
    }
    return roles;
  }

  private static int port(Config config, String key) {
    int port;
    try {
      port = config.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a port number (0-65535), got " + config.getValue(key).render());
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException(key + " = " + port + " is outside 0-65535");
    return port;
  }

  private static String string(Config config, String key) {
    try {
      return config.getString(key).trim();
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a string, got " + config.getValue(key).render());
    }
  }
}
