package actors.node;

import akka.actor.typed.javadsl.Adapter;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Akka Management readiness check (/ready): ready once every role's subsystem has reported ready.
 * While not, the failure names the subsystems still starting.
 */
public final class SubsystemsReady implements Supplier<CompletionStage<Boolean>> {
  private final NodeStatus status;

  public SubsystemsReady(akka.actor.ActorSystem system) {
    this.status = NodeStatus.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    Set<Role> waiting = status.notReady();
    if (waiting.isEmpty()) return CompletableFuture.completedFuture(true);
    String names = waiting.stream().map(Role::configName).collect(Collectors.joining(", "));
    return CompletableFuture.failedFuture(new IllegalStateException("subsystems not ready: " + names));
  }
}
