package actors.safekeeper;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/** What the safekeeper's HTTP API may ask of it, as futures; the routes in {@code app.http} map it to JSON. */
public final class SafekeeperApi {
  private static final Duration ASK = Duration.ofSeconds(15);
  private final ActorSystem<?> system;
  private final ActorRef<Timelines.Command> timelines;
  private final SafekeeperSettings settings;
  private final PrometheusMeterRegistry registry;

  SafekeeperApi(ActorSystem<?> system, ActorRef<Timelines.Command> timelines, SafekeeperSettings settings,
      PrometheusMeterRegistry registry) {
    this.system = system;
    this.timelines = timelines;
    this.settings = settings;
    this.registry = registry;
  }

  public long nodeId() {
    return settings.nodeId();
  }

  public String metrics() {
    return registry.scrape();
  }

  /** A timeline's status, or the failure saying why there is none: unknown here, or its files cannot be loaded. */
  public record StatusReply(Optional<TimelineStatus> status, Optional<SkError.Failure> failure) {}

  public CompletionStage<StatusReply> status(TimelineId id) {
    return AskPattern.<Timelines.Command, Timelines.Resolved>ask(timelines, r -> new Timelines.Resolve(id, Optional.empty(), r),
            ASK, system.scheduler())
        .thenCompose(res -> res instanceof Timelines.Found f
            ? statusOf(f.acceptor()).thenApply(s -> new StatusReply(Optional.of(s), Optional.empty()))
            : CompletableFuture.completedFuture(new StatusReply(Optional.empty(), Optional.of(((Timelines.NotFound) res).failure()))));
  }

  public CompletionStage<Timelines.Resolved> create(TimelineId id, Timelines.Creation spec, Lsn start) {
    return AskPattern.ask(timelines, r -> new Timelines.Create(id, spec, start, r), ASK, system.scheduler());
  }

  public CompletionStage<Timelines.Deleted> delete(TimelineId id) {
    return AskPattern.ask(timelines, r -> new Timelines.Delete(id, r), ASK, system.scheduler());
  }

  public CompletionStage<List<TimelineStatus>> list() {
    return AskPattern.<Timelines.Command, Map<TimelineId, ActorRef<TimelineAcceptor.Command>>>ask(timelines,
            Timelines.ListAll::new, ASK, system.scheduler())
        .thenCompose(all -> {
          List<CompletableFuture<TimelineStatus>> each = new ArrayList<>();
          all.values().forEach(a -> each.add(statusOf(a).toCompletableFuture()));
          return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
              .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
        });
  }

  /** Every safekeeper's timelines as this node's replica of the gossip has them. */
  public CompletionStage<List<StatusGossip.TimelineInfo>> gossip() {
    return AskPattern.<akka.cluster.ddata.typed.javadsl.Replicator.Command,
            akka.cluster.ddata.typed.javadsl.Replicator.GetResponse<akka.cluster.ddata.LWWMap<String, StatusGossip.TimelineInfo>>>ask(
            akka.cluster.ddata.typed.javadsl.DistributedData.get(system).replicator(),
            r -> new akka.cluster.ddata.typed.javadsl.Replicator.Get<>(StatusGossip.KEY,
                akka.cluster.ddata.typed.javadsl.Replicator.readLocal(), r), ASK, system.scheduler())
        .thenApply(resp -> resp instanceof akka.cluster.ddata.typed.javadsl.Replicator.GetSuccess<akka.cluster.ddata.LWWMap<String, StatusGossip.TimelineInfo>> ok
            ? new ArrayList<>(ok.get(StatusGossip.KEY).getEntries().values()) : List.of());
  }

  private CompletionStage<TimelineStatus> statusOf(ActorRef<TimelineAcceptor.Command> acceptor) {
    return AskPattern.ask(acceptor, TimelineAcceptor.GetStatus::new, ASK, system.scheduler());
  }
}
