package actors.pageserver;

import actors.net.BlockingPgListener;
import actors.node.Metrics;
import actors.node.NodeSettings;
import actors.node.NodeStatus;
import actors.node.Role;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.server.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import wire.pg.DecoderLimits;

/**
 * The pageserver role: the tenant manager, the page service listener (pagestream, basebackup) and
 * the JSON HTTP API, started after a warm-up of the ingest and read code ({@link PageserverWarmup}).
 * Ready once both ports are bound.
 */
public final class PageserverNode {
  private PageserverNode() {}

  private sealed interface Command {}
  private record Bound(String what) implements Command {}
  private record BindFailed(String what, Throwable cause) implements Command {}
  private record WarmedUp(String outcome) implements Command {}

  public static Behavior<?> create(NodeSettings node, Function<PageserverApi, Route> routes) {
    return Behaviors.<Command>setup(ctx -> {
      PageserverSettings settings = PageserverSettings.from(node, ctx.getSystem().settings().config());
      PrometheusMeterRegistry metrics = Metrics.registry(ctx.getSystem());
      // Join the gossip at once (WalReceivers read it), so peers' replicators find ours.
      akka.cluster.ddata.typed.javadsl.DistributedData.get(ctx.getSystem());
      Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
      if (settings.warmupWal() == 0) return start(ctx, settings, metrics, blocking, routes);
      NodeStatus.get(ctx.getSystem()).report(Role.PAGESERVER, false, "warming up");
      ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> warmUp(settings), blocking), (outcome, err) ->
          new WarmedUp(err == null ? outcome : "failed: " + err));
      return Behaviors.receive(Command.class)
          .onMessage(WarmedUp.class, m -> {
            ctx.getLog().info("pageserver warm-up {}", m.outcome());
            return start(ctx, settings, metrics, blocking, routes);
          })
          .build();
    });
  }

  /**
   * Runs ingest and GetPage over synthetic WAL in a scratch directory (see {@link PageserverWarmup}),
   * so that the first tenants' WAL and reads find the code compiled. Never fails the start.
   */
  private static String warmUp(PageserverSettings settings) {
    try {
      PageserverWarmup.Result r = PageserverWarmup.run(settings.dataDir().resolve("warmup"), settings.warmupWal());
      return String.format("took_ms=%d wal_bytes=%d records=%d pages_read=%d", r.millis(), r.walBytes(), r.records(), r.pagesRead());
    } catch (java.io.IOException | RuntimeException e) {
      return "failed (start goes on): " + e;
    }
  }

  /** Tenants, the page service and the HTTP API; ready once both ports are bound. */
  private static Behavior<Command> start(ActorContext<Command> ctx, PageserverSettings settings, PrometheusMeterRegistry metrics,
      Executor blocking, Function<PageserverApi, Route> routes) {
    NodeStatus.get(ctx.getSystem()).report(Role.PAGESERVER, false, "loading tenants");
    PageserverRegistry registry = new PageserverRegistry();
    TimelineFactory factory = new TimelineFactory(ctx, settings, blocking);
    RemoteStorage remote = remoteStorage(ctx, metrics);
    ActorRef<TenantManager.Command> tenants = ctx.spawn(TenantManager.create(settings, registry, factory, remote), "tenants");
    Basebackups basebackups = new Basebackups(blocking);

    bindPageService(ctx, settings, registry, basebackups);
    PageserverApi api = new PageserverApi(ctx.getSystem(), tenants, registry, settings, metrics);
    ctx.pipeToSelf(Http.get(ctx.getSystem()).newServerAt(settings.listenHost(), settings.httpPort()).bind(routes.apply(api)),
        (b, err) -> err == null ? new Bound("http " + b.localAddress()) : new BindFailed("http port " + settings.httpPort(), err));

    int[] bound = {0};
    return Behaviors.receive(Command.class)
        .onMessage(Bound.class, m -> {
          ctx.getLog().info("pageserver listening {}", m.what());
          if (++bound[0] == 2) {
            NodeStatus.get(ctx.getSystem()).report(Role.PAGESERVER, true, "serving: pg=" + settings.listenHost() + ":"
                + settings.pgPort() + " http=" + settings.listenHost() + ":" + settings.httpPort());
          }
          return Behaviors.same();
        })
        .onMessage(BindFailed.class, m -> {
          ctx.getLog().error("pageserver cannot bind {}: {}", m.what(), m.cause().getMessage());
          NodeStatus.get(ctx.getSystem()).report(Role.PAGESERVER, false, "cannot bind " + m.what() + ": " + m.cause().getMessage());
          ctx.getSystem().terminate();
          return Behaviors.stopped();
        })
        .build();
  }

  /**
   * The pg port: pagestream and basebackup, on plain sockets with a thread per connection; reports
   * Bound or BindFailed to {@code ctx}. Not Akka Streams Tcp, by measurement: its request/response
   * floor alone is about 100 µs of CPU and a p99 over 1 ms on 2 cores, against 11 µs and 27 µs for a
   * blocking socket (bench.TransportFloorBench), and GetPage must answer in tens of microseconds.
   */
  private static void bindPageService(ActorContext<Command> ctx, PageserverSettings settings, PageserverRegistry registry,
      Basebackups basebackups) {
    try {
      BlockingPgListener l = BlockingPgListener.bind("page-service", settings.listenHost(), settings.pgPort(), DecoderLimits.DEFAULT,
          PageServiceConnection.handler(registry, basebackups));
      ctx.getSystem().getWhenTerminated().thenRun(l::close);
      ctx.getSelf().tell(new Bound("pg " + l.localAddress()));
    } catch (java.io.IOException e) {
      ctx.getSelf().tell(new BindFailed("pg port " + settings.pgPort(), e));
    }
  }

  /** Object storage for backups from {@code strata.s3.*}, or null (said once in the log) when no endpoint is set. */
  private static RemoteStorage remoteStorage(akka.actor.typed.javadsl.ActorContext<?> ctx, PrometheusMeterRegistry metrics) {
    S3Settings s3 = S3Settings.fromConfig(ctx.getSystem().settings().config().getConfig("strata"));
    if (!s3.configured()) {
      ctx.getLog().info("pageserver backup is off: strata.s3.endpoint is not set; remote_consistent_lsn stays 0/0");
      return null;
    }
    ctx.getLog().info("pageserver backup to object storage endpoint={} bucket={}", s3.endpoint(), s3.bucket());
    return new RemoteStorage(ObjectStore.create(ctx.getSystem(), s3), metrics);
  }
}
