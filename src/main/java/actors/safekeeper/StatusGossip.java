package actors.safekeeper;

import actors.CborSerializable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import java.time.Duration;
import java.util.List;

/**
 * Publishes this safekeeper's timelines to the cluster about once a second (Neon's storage broker,
 * here Akka Distributed Data): term, last log term, LSNs and where to connect. Pageservers pick a
 * safekeeper from it; safekeepers use it to elect the WAL uploader.
 */
public final class StatusGossip {
  private StatusGossip() {}

  /** One safekeeper's view of one timeline. LSNs as X/Y text. */
  public record TimelineInfo(long nodeId, String tenantId, String timelineId, long term, long lastLogTerm,
      String flushLsn, String commitLsn, String backupLsn, String remoteConsistentLsn, String pgAddress,
      String httpAddress, long publishedAtMillis) implements CborSerializable {}

  /** Entries are keyed "nodeId/tenant/timeline"; each node writes only its own. */
  public static final Key<LWWMap<String, TimelineInfo>> KEY = LWWMapKey.create("strata-safekeeper-timelines");

  private sealed interface Command {}
  private enum Tick implements Command { INSTANCE }
  private record Statuses(List<TimelineStatus> statuses) implements Command {}
  private record Updated(Replicator.UpdateResponse<LWWMap<String, TimelineInfo>> response) implements Command {}

  public static Behavior<?> create(SafekeeperSettings settings, SafekeeperApi api) {
    return Behaviors.<Command>setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, TimelineInfo>> replicator) -> Behaviors.withTimers(timers -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
          SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          String pg = settings.listenHost() + ":" + settings.pgPort();
          String http = "http://" + settings.listenHost() + ":" + settings.httpPort();
          return Behaviors.receive(Command.class)
              .onMessageEquals(Tick.INSTANCE, () -> {
                ctx.pipeToSelf(api.list(), (list, err) -> new Statuses(err == null ? list : List.of()));
                return Behaviors.same();
              })
              .onMessage(Statuses.class, m -> {
                if (m.statuses().isEmpty()) return Behaviors.same();
                long now = System.currentTimeMillis();
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo, map -> {
                      LWWMap<String, TimelineInfo> next = map;
                      for (TimelineStatus s : m.statuses()) {
                        TimelineInfo info = new TimelineInfo(settings.nodeId(), s.tenantId(), s.timelineId(), s.term(),
                            s.lastLogTerm(), s.flushLsn().toString(), s.commitLsn().toString(), s.backupLsn().toString(),
                            s.remoteConsistentLsn().toString(), pg, http, now);
                        next = next.put(self, Long.toUnsignedString(settings.nodeId()) + "/" + s.tenantId() + "/" + s.timelineId(), info);
                      }
                      return next;
                    }),
                    Updated::new);
                return Behaviors.same();
              })
              .onMessage(Updated.class, m -> Behaviors.same())
              .build();
        })));
  }

}
