package actors.pageserver;

import actors.proposer.PgClientSession;
import actors.safekeeper.StatusGossip;
import actors.safekeeper.StatusGossip.TimelineInfo;
import actors.safekeeper.TimelineId;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.util.ByteString;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import wire.pg.IdentifySystemResult;
import wire.pg.PgTime;
import wire.pg.ProtocolException;
import wire.pg.ReplicationMessage;
import wire.pg.ReplicationMessage.PrimaryKeepalive;
import wire.pg.ReplicationMessage.StandbyStatusUpdate;
import wire.pg.ReplicationMessage.XLogData;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;

/**
 * Streams one timeline's committed WAL from a safekeeper into a {@link WalSink} (pageserver.md §9,
 * §11.1, raw WAL). It follows the safekeepers' gossip, connects to the one with the highest
 * commit_lsn, and replaces the connection when it goes silent, stops delivering WAL it has, or
 * falls too far behind another safekeeper. Each safekeeper whose connection ended waits a growing
 * backoff before it is tried again. Every ended connection is one WARN line with its
 * {@link FailureReason}.
 */
public final class WalReceiver extends AbstractBehavior<WalReceiver.Command> {
  public sealed interface Command {}
  /** Asks for a {@link WalReceiverStatus}. */
  public record GetStatus(ActorRef<WalReceiverStatus> replyTo) implements Command {}

  private record GossipChanged(Replicator.SubscribeResponse<LWWMap<String, TimelineInfo>> response) implements Command {}
  private record Identified(long connection, List<PgClientSession.Result> results) implements Command {}
  /** A message read on {@code from}, which holds a read credit for it until it is taken. */
  private record StreamMessage(long connection, SafekeeperStream from, ReplicationMessage message) implements Command {}
  private record StreamEnded(long connection, Optional<Throwable> failure) implements Command {}
  /** The sink is done with a chunk read on {@code from}: its credit goes back. */
  private record Ingested(long connection, SafekeeperStream from, Throwable error) implements Command {}
  private enum Wake implements Command { INSTANCE }

  /**
   * Chunks handed to the sink before the first of them is ingested: the stream reads and decodes
   * the next chunks while the timeline ingests, instead of waiting a round of messages per chunk.
   */
  static final int MAX_IN_FLIGHT = 4;
  /** While chunks keep coming, a status update after an ingest is sent at most this often (and whenever the flush LSNs moved). */
  private static final long STATUS_INTERVAL_NANOS = 100_000_000L;

  /** One connection to one safekeeper, from TCP connect to its end. */
  private static final class Connection {
    final long id;
    final SafekeeperCandidates.Candidate safekeeper;
    final long startedNanos;
    final Lsn start;
    final Lsn lastRecordAtStart;
    SafekeeperStream stream;
    boolean streaming;
    boolean advanced;                 // WAL from it moved last_record_lsn; its backoff was reset
    long lastMessageNanos;
    long lastWalNanos;
    long behindSinceNanos;            // since when it has had WAL we did not receive; valid while behind
    boolean behind;
    Lsn received;                     // the next byte expected
    Lsn safekeeperEnd = Lsn.INVALID;  // the most WAL it said it has
    long statusSentNanos;             // the last standby status update, and what it said was flushed
    TimelineLsns statusSent;

    Connection(long id, SafekeeperCandidates.Candidate safekeeper, long now, Lsn start, Lsn lastRecordAtStart) {
      this.id = id;
      this.safekeeper = safekeeper;
      this.startedNanos = now;
      this.start = start;
      this.lastRecordAtStart = lastRecordAtStart;
      this.lastMessageNanos = now;
      this.lastWalNanos = now;
      this.received = start;
    }
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final WalReceiverSettings settings;
  private final String tenantId;
  private final String timelineId;
  private final WalSink sink;
  private final Supplier<TimelineLsns> lsns;
  private final SafekeeperCandidates candidates;
  private Connection current;
  private int inFlight;               // chunks with the sink; no new connection until they are done
  private long connections;
  private Lsn lastReceived = Lsn.INVALID;
  private long lastReceivedAtMillis;
  private String lastFailure = "";

  /**
   * A receiver for one timeline. {@code lsns} is read on the actor's thread whenever a connection
   * starts or a status update is sent: it must return at once (published values, not a query).
   */
  public static Behavior<Command> create(WalReceiverSettings settings, String tenantId, String timelineId, WalSink sink,
      Supplier<TimelineLsns> lsns) {
    TimelineId id = new TimelineId(tenantId, timelineId);   // checks both ids
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, TimelineInfo>> replicator) -> {
          replicator.subscribe(StatusGossip.KEY, GossipChanged::new);
          return new WalReceiver(ctx, timers, settings, id, sink, lsns);
        })));
  }

  private WalReceiver(ActorContext<Command> ctx, TimerScheduler<Command> timers, WalReceiverSettings settings, TimelineId id,
      WalSink sink, Supplier<TimelineLsns> lsns) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.tenantId = id.tenantId();
    this.timelineId = id.timelineId();
    this.sink = sink;
    this.lsns = lsns;
    this.candidates = new SafekeeperCandidates(settings, tenantId, timelineId);
    ctx.setLoggerName(WalReceiver.class);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GossipChanged.class, this::onGossip)
        .onMessage(Identified.class, this::onIdentified)
        .onMessage(StreamMessage.class, this::onStreamMessage)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessage(Ingested.class, this::onIngested)
        .onMessageEquals(Wake.INSTANCE, this::decide)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onSignal(PostStop.class, s -> {
          if (current != null) close(current);
          return this;
        })
        .build();
  }

  private Behavior<Command> onGossip(GossipChanged m) {
    if (m.response() instanceof Replicator.Changed<LWWMap<String, TimelineInfo>> changed) {
      candidates.update(changed.get(StatusGossip.KEY).getEntries().values(), System.nanoTime());
    }
    return decide();
  }

  /** Drops a connection that no longer serves, connects when there is none, and sets the timer for the next check. */
  private Behavior<Command> decide() {
    long now = System.nanoTime();
    candidates.forgetStale(now, current == null ? OptionalLong.empty() : OptionalLong.of(current.safekeeper.nodeId()));
    if (current != null) checkConnection(current, now);
    if (current == null && inFlight == 0) candidates.best(now, OptionalLong.empty()).ifPresent(c -> connect(c, now));
    rearm(now);
    return this;
  }

  private void checkConnection(Connection c, long now) {
    if (inFlight == 0) {   // while the sink works we may read nothing, so silence is ours, not the safekeeper's
      long quiet = now - c.lastMessageNanos;
      if (quiet >= settings.connectTimeout().toNanos()) {
        end(c, FailureReason.TIMEOUT, (c.streaming ? "no message for " : "no answer while connecting for ") + millis(quiet));
        return;
      }
      trackBehind(c, now);
      long noWal = now - Math.max(c.lastWalNanos, c.behindSinceNanos);
      if (c.streaming && c.behind && noWal >= settings.laggingWalTimeout().toNanos()) {
        end(c, FailureReason.NO_WAL, "it has WAL up to " + safekeeperHas(c) + " but sent nothing past " + c.received
            + " for " + millis(noWal));
        return;
      }
    }
    Optional<SafekeeperCandidates.Candidate> other = candidates.best(now, OptionalLong.of(c.safekeeper.nodeId()));
    Lsn mine = safekeeperHas(c);
    if (other.isPresent() && other.get().commitLsn().minus(mine) >= settings.maxLsnWalLag()) {
      end(c, FailureReason.LAGGING, "safekeeper " + Long.toUnsignedString(other.get().nodeId()) + " has commit_lsn "
          + other.get().commitLsn() + ", ahead of " + mine + " by at least " + settings.maxLsnWalLag() + " bytes");
    }
  }

  /** The most WAL the safekeeper is known to have: what it said on this connection, or the gossip. */
  private Lsn safekeeperHas(Connection c) {
    return Lsn.max(c.safekeeperEnd, candidates.commitLsn(c.safekeeper.nodeId()));
  }

  /** Notes when the safekeeper started to have WAL we have not received: the no-WAL clock starts there. */
  private void trackBehind(Connection c, long now) {
    boolean behind = safekeeperHas(c).isAfter(c.received);
    if (behind && !c.behind) c.behindSinceNanos = now;
    c.behind = behind;
  }

  private void connect(SafekeeperCandidates.Candidate sk, long now) {
    TimelineLsns at = lsns.get();
    Lsn start = streamStart(at.lastRecordLsn());
    Connection c = new Connection(++connections, sk, now, start, at.lastRecordLsn());
    current = c;
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", "strata");
    params.put("database", "replication");
    params.put("application_name", settings.applicationName());
    params.put("options", "-c tenant_id=" + tenantId + " timeline_id=" + timelineId);
    PgClientSession session = new PgClientSession(sk.address(), params, null,
        List.of("IDENTIFY_SYSTEM", "START_REPLICATION PHYSICAL " + start));
    long id = c.id;
    ActorRef<Command> self = ctx.getSelf();
    c.stream = SafekeeperStream.open("walreceiver-" + timelineId + "-" + id, sk.host(), sk.port(), session,
        settings.connectTimeout(), MAX_IN_FLIGHT, new SafekeeperStream.Listener() {
          @Override public void onStreaming(List<PgClientSession.Result> results) {
            self.tell(new Identified(id, results));
          }

          @Override public void onMessage(SafekeeperStream from, ReplicationMessage message) {
            self.tell(new StreamMessage(id, from, message));
          }

          @Override public void onEnd(Optional<Throwable> failure) {
            self.tell(new StreamEnded(id, failure));
          }
        });
    ctx.getLog().info("walreceiver connecting tenant={} timeline={} sk={} addr={} start={} last_record_lsn={} commit_lsn={}",
        tenantId, timelineId, Long.toUnsignedString(sk.nodeId()), sk.address(), start, at.lastRecordLsn(), sk.commitLsn());
  }

  /**
   * Where to start streaming for a timeline whose last record ends at {@code lastRecord}: 8-aligned,
   * and past the page header when on a page boundary (a compute started there never wrote that header).
   */
  static Lsn streamStart(Lsn lastRecord) {
    Lsn start = lastRecord.maxAlign();
    if (start.pageOffset() != 0) return start;
    boolean segmentStart = start.segmentOffset(Lsn.DEFAULT_SEGMENT_SIZE) == 0;
    return start.plus(segmentStart ? WalPageHeader.LONG_SIZE : WalPageHeader.SHORT_SIZE);
  }

  private Behavior<Command> onIdentified(Identified m) {
    Connection c = current;
    if (c == null || c.id != m.connection()) return this;
    try {
      IdentifySystemResult r = IdentifySystemResult.fromRow(m.results().get(0).rows().get(0));
      c.safekeeperEnd = Lsn.max(c.safekeeperEnd, r.xlogpos());
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      end(c, FailureReason.PROTOCOL_ERROR, "IDENTIFY_SYSTEM answer unusable: " + FailureReason.detail(e));
      return decide();
    }
    c.streaming = true;
    c.lastMessageNanos = System.nanoTime();
    trackBehind(c, c.lastMessageNanos);
    rearm(c.lastMessageNanos);
    ctx.getLog().info("walreceiver streaming tenant={} timeline={} sk={} start={} sk_commit_lsn={}",
        tenantId, timelineId, Long.toUnsignedString(c.safekeeper.nodeId()), c.start, c.safekeeperEnd);
    return this;
  }

  private Behavior<Command> onStreamMessage(StreamMessage m) {
    Connection c = current;
    if (c == null || c.id != m.connection()) {
      m.from().release();   // a stream being torn down; let it drain
      return this;
    }
    long now = System.nanoTime();
    c.streaming = true;
    c.lastMessageNanos = now;
    if (m.message() instanceof XLogData x) {
      if (!x.start().equals(c.received)) {
        end(c, FailureReason.PROTOCOL_ERROR, "WAL arrived at " + x.start() + ", expected " + c.received);
        return decide();
      }
      c.safekeeperEnd = Lsn.max(c.safekeeperEnd, x.end());
      if (x.data().length == 0) {
        m.from().release();
        return this;
      }
      c.received = x.dataEnd();
      c.lastWalNanos = now;
      lastReceived = x.dataEnd();
      lastReceivedAtMillis = System.currentTimeMillis();
      inFlight++;
      CompletionStage<Void> done;
      try {
        done = sink.deliver(x.start().value(), ByteString.fromArrayUnsafe(x.data()));
      } catch (RuntimeException e) {
        done = CompletableFuture.failedFuture(e);
      }
      long id = c.id;
      SafekeeperStream from = m.from();
      ctx.pipeToSelf(done, (v, err) -> new Ingested(id, from, err));
    } else if (m.message() instanceof PrimaryKeepalive k) {
      c.safekeeperEnd = Lsn.max(c.safekeeperEnd, k.walEnd());
      if (k.replyRequested()) sendStatus(c, lsns.get());
      m.from().release();
    } else {
      end(c, FailureReason.PROTOCOL_ERROR, "unexpected " + m.message().getClass().getSimpleName() + " from the safekeeper");
      return decide();
    }
    trackBehind(c, now);
    rearm(now);
    return this;
  }

  private Behavior<Command> onIngested(Ingested m) {
    inFlight--;
    m.from().release();
    Connection c = current;
    if (c != null && c.id == m.connection()) {
      if (m.error() != null) {
        end(c, FailureReason.INGEST_FAILED, FailureReason.detail(m.error()));
      } else {
        c.lastMessageNanos = System.nanoTime();
        if (!c.advanced && lsns.get().lastRecordLsn().isAfter(c.lastRecordAtStart)) {
          c.advanced = true;
          candidates.progressed(c.safekeeper.nodeId());
        }
        TimelineLsns at = lsns.get();
        if (inFlight == 0 || statusMoved(c, at) || System.nanoTime() - c.statusSentNanos >= STATUS_INTERVAL_NANOS) sendStatus(c, at);
      }
    }
    return decide();
  }

  private Behavior<Command> onStreamEnded(StreamEnded m) {
    Connection c = current;
    if (c == null || c.id != m.connection()) return this;   // ended by us; reported then
    if (m.failure().isPresent()) {
      end(c, FailureReason.of(m.failure().get()), FailureReason.detail(m.failure().get()));
    } else {
      end(c, FailureReason.CONNECTION_LOST, "the safekeeper closed the connection");
    }
    return decide();
  }

  /** Standby status update: write = received, flush = disk_consistent_lsn, apply = remote_consistent_lsn. */
  private void sendStatus(Connection c, TimelineLsns at) {
    if (!c.streaming) return;   // before COPY mode a CopyData would break the startup exchange
    c.stream.send(new StandbyStatusUpdate(c.received, at.diskConsistentLsn(), at.remoteConsistentLsn(), PgTime.now(), false));
    c.statusSentNanos = System.nanoTime();
    c.statusSent = at;
  }

  /** Whether what is durable (locally or remotely) moved since the last update: the safekeepers wait for that news. */
  private static boolean statusMoved(Connection c, TimelineLsns at) {
    return c.statusSent == null || !at.diskConsistentLsn().equals(c.statusSent.diskConsistentLsn())
        || !at.remoteConsistentLsn().equals(c.statusSent.remoteConsistentLsn());
  }

  /** Ends the connection and reports it: the one WARN line for this failure. */
  private void end(Connection c, FailureReason reason, String detail) {
    long backoff = candidates.connectionEnded(c.safekeeper.nodeId(), c.startedNanos);
    close(c);
    current = null;
    lastFailure = reason + ": " + detail;
    ctx.getLog().warn("walreceiver connection failed tenant={} timeline={} sk={} addr={} reason={} backoff={}ms received={} detail={}",
        tenantId, timelineId, Long.toUnsignedString(c.safekeeper.nodeId()), c.safekeeper.address(), reason,
        backoff / 1_000_000, c.received, detail);
  }

  private static void close(Connection c) {
    if (c.stream != null) c.stream.close();
  }

  /** One timer for the earliest moment something can change without a message arriving. */
  private void rearm(long now) {
    long at;
    Connection c = current;
    if (c != null) {
      at = now + settings.laggingWalTimeout().toNanos();   // look at the lag and the gossip's staleness now and then
      if (inFlight == 0) {   // while the sink works, its completion is the next event
        at = Math.min(at, c.lastMessageNanos + settings.connectTimeout().toNanos());
        if (c.streaming && c.behind) {
          at = Math.min(at, Math.max(c.lastWalNanos, c.behindSinceNanos) + settings.laggingWalTimeout().toNanos());
        }
      }
    } else {
      OptionalLong next = candidates.nextDeadline(now);
      if (next.isEmpty()) {
        timers.cancel(Wake.INSTANCE);
        return;
      }
      at = next.getAsLong();
    }
    timers.startSingleTimer(Wake.INSTANCE, Wake.INSTANCE, Duration.ofNanos(Math.max(at - now, 1_000_000)));
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    long now = System.nanoTime();
    Connection c = current;
    WalReceiverStatus.State state = c == null ? WalReceiverStatus.State.WAITING
        : c.streaming ? WalReceiverStatus.State.STREAMING : WalReceiverStatus.State.CONNECTING;
    m.replyTo().tell(new WalReceiverStatus(tenantId, timelineId, state, c == null ? 0 : c.safekeeper.nodeId(),
        c == null ? "" : c.safekeeper.address(), c == null ? Lsn.INVALID : c.start, lastReceived, lastReceivedAtMillis,
        c == null ? Lsn.INVALID : safekeeperHas(c), connections,
        lastFailure, candidates.status(now)));
    return this;
  }

  private static String millis(long nanos) {
    return (nanos / 1_000_000) + "ms";
  }
}
