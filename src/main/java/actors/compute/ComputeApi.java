package actors.compute;

import actors.compute.ComputeNode.Command;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the compute's HTTP routes call: asks of the {@link ComputeNode}. /configure and /terminate
 * wait (without holding a thread) until the compute settles, up to {@code strata.compute.request-timeout}.
 */
public final class ComputeApi {
  private static final Duration QUICK = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ActorRef<Command> node;
  private final ComputeSettings settings;
  private final PrometheusMeterRegistry registry;

  public ComputeApi(ActorSystem<?> system, ActorRef<Command> node, ComputeSettings settings, PrometheusMeterRegistry registry) {
    this.system = system;
    this.node = node;
    this.settings = settings;
    this.registry = registry;
  }

  public CompletionStage<ComputeNode.Status> status() {
    return AskPattern.ask(node, ComputeNode.GetStatus::new, QUICK, system.scheduler());
  }

  /** Parses the body first: a spec that does not parse is refused with 400 and never reaches the compute. */
  public CompletionStage<ComputeNode.ConfigureReply> configure(String body) {
    ComputeSpec spec;
    try {
      spec = ComputeSpecJson.parse(body);
    } catch (InvalidSpec e) {
      return CompletableFuture.completedStage(new ComputeNode.Refused(400, "invalid spec: " + e.getMessage()));
    }
    return AskPattern.ask(node, (ActorRef<ComputeNode.ConfigureReply> r) -> new ComputeNode.Configure(spec, r),
        settings.requestTimeout(), system.scheduler());
  }

  public CompletionStage<ComputeNode.TerminateReply> terminate(TerminationMode mode) {
    return AskPattern.ask(node, (ActorRef<ComputeNode.TerminateReply> r) -> new ComputeNode.Terminate(mode, r),
        settings.requestTimeout(), system.scheduler());
  }

  public CompletionStage<ComputeNode.RefreshReply> refreshConfiguration() {
    return AskPattern.ask(node, ComputeNode.RefreshConfiguration::new, QUICK, system.scheduler());
  }

  public CompletionStage<StartupSpans> startupMetrics() {
    return AskPattern.ask(node, ComputeNode.GetStartupMetrics::new, QUICK, system.scheduler());
  }

  /** The node's Prometheus registry, compute meters included. */
  public String prometheus() {
    return registry.scrape();
  }
}
