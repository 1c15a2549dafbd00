package actors.node;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The cluster roles a Strata node can take; each starts one subsystem. */
public enum Role {
  SAFEKEEPER("safekeeper"),
  PAGESERVER("pageserver"),
  COMPUTE("compute"),
  CONTROLLER("controller");

  private final String configName;

  Role(String configName) {
    this.configName = configName;
  }

  /** The name used in akka.cluster.roles. */
  public String configName() {
    return configName;
  }

  public static Optional<Role> parse(String name) {
    return Arrays.stream(values()).filter(r -> r.configName.equals(name)).findFirst();
  }

  public static String validNames() {
    return Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(", "));
  }
}
