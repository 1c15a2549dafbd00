package actors.compute;

import actors.node.Metrics;
import actors.node.NodeSettings;
import actors.node.NodeStatus;
import actors.node.Role;
import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.server.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The compute role of a node: one {@link ComputeNode} for the endpoint {@code strata.compute.endpoint-id},
 * fed by the pageserver named in its spec, and its HTTP API. Ready once the HTTP port is bound.
 * When the node shuts down, the compute is terminated (fast) first, so PostgreSQL stops cleanly
 * and the safekeepers are synced.
 */
public final class ComputeService {
  private ComputeService() {}

  private sealed interface Command {}
  private record Bound(String address, int port) implements Command {}
  private record WarmedUp(String what) implements Command {}
  private record BindFailed(Throwable cause) implements Command {}

  public static Behavior<?> create(NodeSettings node, Function<ComputeApi, Route> routes) {
    return Behaviors.<Command>setup(ctx -> {
      NodeStatus status = NodeStatus.get(ctx.getSystem());
      ComputeSettings settings;
      try {
        settings = ComputeSettings.from(node, ctx.getSystem().settings().config());
      } catch (IllegalArgumentException e) {
        ctx.getLog().error("compute settings invalid: {}", e.getMessage());
        status.report(Role.COMPUTE, false, "invalid settings: " + e.getMessage());
        ctx.getSystem().terminate();
        return Behaviors.stopped();
      }
      PrometheusMeterRegistry registry = Metrics.registry(ctx.getSystem());
      ComputeSteps steps = new LocalComputeSteps(ctx.getSystem(), settings, LocalComputeSteps.pageserver(settings));
      ActorRef<ComputeNode.Command> compute = ctx.spawn(ComputeNode.create(settings, steps, ComputeMetrics.register(registry)), "compute");
      ComputeApi api = new ComputeApi(ctx.getSystem(), compute, settings, registry);
      status.report(Role.COMPUTE, false, "binding http port " + settings.httpPort());
      ctx.pipeToSelf(Http.get(ctx.getSystem()).newServerAt(settings.listenHost(), settings.httpPort()).bind(routes.apply(api)),
          (b, err) -> err == null ? new Bound(b.localAddress().toString(), b.localAddress().getPort()) : new BindFailed(err));

      Duration stopWait = settings.syncTimeout().plus(Duration.ofSeconds(30));
      CoordinatedShutdown.get(ctx.getSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "compute-terminate",
          () -> AskPattern.<ComputeNode.Command, ComputeNode.TerminateReply>ask(compute,
                  r -> new ComputeNode.Terminate(TerminationMode.FAST, r), stopWait, ctx.getSystem().scheduler())
              .handle((r, e) -> Done.getInstance()));

      return Behaviors.receive(Command.class)
          .onMessage(WarmedUp.class, m -> {
            ctx.getLog().info("compute start path warmed up {}", m.what());
            status.report(Role.COMPUTE, true, "serving: endpoint=" + settings.endpointId() + " http=" + settings.listenHost() + ":"
                + settings.httpPort() + " pg=" + settings.listenHost() + ":" + settings.pgPort());
            return Behaviors.same();
          })
          .onMessage(Bound.class, m -> {
            // Ready once warm: whoever hands out specs waits for readiness, so a start does not pay for a cold JVM.
            // The API already answers (a /configure that comes first just starts colder); a failed warm-up is only logged.
            Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
            ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> StartPathWarmup.run(settings.localHost(), m.port()), blocking),
                (String what, Throwable err) -> new WarmedUp(err == null ? what : "failed: " + err));
            ctx.getLog().info("compute listening http {} endpoint={}", m.address(), settings.endpointId());
            status.report(Role.COMPUTE, false, "warming the start path: endpoint=" + settings.endpointId());
            return Behaviors.same();
          })
          .onMessage(BindFailed.class, m -> {
            ctx.getLog().error("compute cannot bind http port {}: {}", settings.httpPort(), m.cause().getMessage());
            status.report(Role.COMPUTE, false, "cannot bind http port " + settings.httpPort() + ": " + m.cause().getMessage());
            ctx.getSystem().terminate();
            return Behaviors.stopped();
          })
          .build();
    });
  }
}
