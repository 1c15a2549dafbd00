package actors.node;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;

/**
 * A role whose services are not part of this build yet. It joins the cluster with its role and
 * says so in /ready and /node, but binds no port and answers no request: it never pretends to serve.
 */
final class PendingSubsystem {
  private PendingSubsystem() {}

  static Behavior<Void> create(Role role) {
    return Behaviors.setup(ctx -> {
      String detail = "started; " + role.configName() + " services are not available in this build";
      NodeStatus.get(ctx.getSystem()).report(role, true, detail);
      ctx.getLog().info("subsystem started role={} serving=false", role.configName());
      return Behaviors.empty();
    });
  }
}
