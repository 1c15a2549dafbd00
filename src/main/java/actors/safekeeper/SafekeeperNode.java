package actors.safekeeper;

import actors.net.BlockingPgListener;
import actors.net.PgSession;
import actors.node.Metrics;
import actors.node.NodeSettings;
import actors.node.NodeStatus;
import actors.node.Role;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.server.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Function;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import wire.pg.DecoderLimits;

/**
 * The safekeeper role: the timeline registry, the PostgreSQL-protocol listener (WAL push and WAL
 * readers) and the JSON HTTP API. Ready once both ports are bound.
 */
public final class SafekeeperNode {
  private SafekeeperNode() {}

  private sealed interface Command {}
  private record Bound(String what) implements Command {}
  private record BindFailed(String what, Throwable cause) implements Command {}

  public static Behavior<?> create(NodeSettings node, Function<SafekeeperApi, Route> routes) {
    return Behaviors.<Command>setup(ctx -> {
      SafekeeperSettings settings = SafekeeperSettings.from(node);
      PrometheusMeterRegistry registry = Metrics.registry(ctx.getSystem());
      ActorRef<Timelines.Command> timelines = ctx.spawn(Timelines.create(settings, new SafekeeperMetrics(registry)), "timelines");
      NodeStatus.get(ctx.getSystem()).report(Role.SAFEKEEPER, false, "binding ports");

      bindWalService(ctx, settings, timelines);
      SafekeeperApi api = new SafekeeperApi(ctx.getSystem(), timelines, settings, registry);
      ctx.spawn(StatusGossip.create(settings, api), "gossip");
      S3Settings s3 = S3Settings.fromConfig(ctx.getSystem().settings().config().getConfig("strata"));
      if (s3.configured()) {
        ctx.spawn(WalBackup.create(settings, WalBackupSettings.fromConfig(ctx.getSystem().settings().config()), timelines, api,
            ObjectStore.create(ctx.getSystem(), s3), registry), "wal-backup");
      } else {
        ctx.getLog().info("WAL backup off: strata.s3.endpoint is not set (local WAL is then never removed)");
      }
      ctx.pipeToSelf(Http.get(ctx.getSystem()).newServerAt(settings.listenHost(), settings.httpPort()).bind(routes.apply(api)),
          (b, err) -> err == null ? new Bound("http " + b.localAddress()) : new BindFailed("http port " + settings.httpPort(), err));

      int[] bound = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Bound.class, m -> {
            ctx.getLog().info("safekeeper listening {}", m.what());
            if (++bound[0] == 2) {
              NodeStatus.get(ctx.getSystem()).report(Role.SAFEKEEPER, true, "serving: node_id=" + Long.toUnsignedString(settings.nodeId())
                  + " pg=" + settings.listenHost() + ":" + settings.pgPort() + " http=" + settings.listenHost() + ":" + settings.httpPort());
            }
            return Behaviors.same();
          })
          .onMessage(BindFailed.class, m -> {
            ctx.getLog().error("safekeeper cannot bind {}: {}", m.what(), m.cause().getMessage());
            NodeStatus.get(ctx.getSystem()).report(Role.SAFEKEEPER, false, "cannot bind " + m.what() + ": " + m.cause().getMessage());
            ctx.getSystem().terminate();
            return Behaviors.stopped();
          })
          .build();
    });
  }

  /** The WAL service on blocking sockets: each connection's thread feeds its session actor (no stream hops on the commit path). */
  private static void bindWalService(ActorContext<Command> ctx, SafekeeperSettings settings, ActorRef<Timelines.Command> timelines) {
    try {
      BlockingPgListener l = BlockingPgListener.bind("sk-wal", settings.listenHost(), settings.pgPort(), DecoderLimits.DEFAULT,
          PgSession.handler(ctx.getSystem(), "sk-session", SafekeeperSession.PROTOCOL,
              (out, route) -> SafekeeperSession.create(settings, timelines, out, route)));
      ctx.getSystem().getWhenTerminated().thenRun(l::close);
      ctx.getSelf().tell(new Bound("pg " + l.localAddress()));
    } catch (java.io.IOException e) {
      ctx.getSelf().tell(new BindFailed("pg port " + settings.pgPort(), e));
    }
  }
}
