package actors.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's answer to "what runs here": its roles and what each role's subsystem has reported.
 * Subsystems write their own entry; readiness checks and the /node route read a snapshot.
 */
public final class NodeStatus implements Extension {
  /** What a subsystem says about itself; {@code ready} means it has finished starting. */
  public record SubsystemState(boolean ready, String detail) {}

  private final Map<Role, SubsystemState> subsystems = new ConcurrentHashMap<>();
  private volatile NodeSettings settings;

  public static final ExtensionId<NodeStatus> ID = new ExtensionId<>() {
    @Override
    public NodeStatus createExtension(ActorSystem<?> system) {
      return new NodeStatus();
    }
  };

  public static NodeStatus get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  void expect(NodeSettings settings) {
    this.settings = settings;
    for (Role role : settings.roles()) subsystems.putIfAbsent(role, new SubsystemState(false, "starting"));
  }

  public void report(Role role, boolean ready, String detail) {
    subsystems.put(role, new SubsystemState(ready, detail));
  }

  public NodeSettings settings() {
    return settings;
  }

  public Map<Role, SubsystemState> subsystems() {
    return new TreeMap<>(subsystems);
  }

  /** Roles whose subsystem has not reported ready yet (all of them before the guardian runs). */
  public Set<Role> notReady() {
    if (settings == null) return Set.of(Role.values());
    return subsystems.entrySet().stream().filter(e -> !e.getValue().ready()).map(Map.Entry::getKey)
        .collect(java.util.stream.Collectors.toCollection(() -> java.util.EnumSet.noneOf(Role.class)));
  }
}
