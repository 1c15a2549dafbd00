package actors.node;

import actors.compute.ComputeService;
import actors.safekeeper.SafekeeperNode;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;

/** The root actor of a node: starts one subsystem per configured role. */
public final class NodeGuardian {
  private NodeGuardian() {}

  public static Behavior<Void> create(NodeSettings settings, RoleHttp http) {
    return Behaviors.setup(ctx -> {
      NodeStatus.get(ctx.getSystem()).expect(settings);
      ctx.getLog().info("node starting node_id={} roles={} data_dir={}", settings.nodeId(),
          settings.roles().stream().map(Role::configName).toList(), settings.dataDir());
      for (Role role : settings.roles()) {
        ctx.spawn(subsystem(role, settings, http), role.configName());
      }
      return Behaviors.empty();
    });
  }

  private static Behavior<?> subsystem(Role role, NodeSettings settings, RoleHttp http) {
    return switch (role) {
      case SAFEKEEPER -> SafekeeperNode.create(settings, http::safekeeper);
      case PAGESERVER -> actors.pageserver.PageserverNode.create(settings, http::pageserver);
      case COMPUTE -> ComputeService.create(settings, http::compute);
      default -> PendingSubsystem.create(role);
    };
  }
}
