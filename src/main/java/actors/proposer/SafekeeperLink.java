package actors.proposer;

import actors.proposer.PgClientSession.Copy;
import actors.proposer.PgClientSession.Event;
import actors.proposer.PgClientSession.Streaming;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.typed.javadsl.ActorSink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import wire.WireFormatException;
import wire.pg.CopyData;
import wire.pg.FrontendMessage;
import wire.sk.AcceptorMessage;
import wire.sk.ProposerMessage;
import wire.xlog.Lsn;

/**
 * One safekeeper connection of a proposer (safekeeper.md §4.2): startup with the timeline in the
 * options, {@code START_WAL_PUSH (proto_version '3')}, then one consensus message per CopyData in
 * each direction. It reconnects after {@link Settings#reconnect()} and drops a connection that
 * stayed silent for {@link Settings#silence()}. It knows nothing of the protocol's meaning: the
 * owner sends and interprets messages. Each connection has a number so the owner can tell stale
 * events from current ones.
 */
public final class SafekeeperLink extends AbstractBehavior<SafekeeperLink.Command> {
  public sealed interface Command {}
  /** Send on connection {@code connection}; ignored when that connection is gone. */
  public record Send(long connection, ProposerMessage message) implements Command {}
  /** Close connection {@code connection} (the owner saw it misbehave); a new one follows. */
  public record Drop(long connection, String reason) implements Command {}
  private record Connect() implements Command {}
  private record CheckSilence() implements Command {}
  private record StreamStarted(long connection, ActorRef<Ack> ack) implements Command {}
  private record StreamEvent(long connection, Event event, ActorRef<Ack> ack) implements Command {}
  private record StreamEnded(long connection, Optional<Throwable> failure) implements Command {}
  private record OnWire(long connection) implements Command {}
  private enum Ack { INSTANCE }

  /** What the owner hears, each naming the safekeeper index and the connection. */
  public sealed interface Report {}
  /** COPY BOTH is established: the greeting may be sent. */
  public record Up(int sk, long connection) implements Report {}
  public record Received(int sk, long connection, AcceptorMessage message) implements Report {}
  /**
   * AppendRequests up to {@code endLsn} were handed to the socket. Reported for the first one on a
   * connection and then whenever {@link Settings#writtenReportBytes()} more went out: WAL written but
   * not yet reported stays below that, so an owner whose window is larger never waits for it.
   */
  public record Written(int sk, long connection, Lsn endLsn) implements Report {}
  /** A connection that was up is gone. */
  public record Down(int sk, long connection, String reason) implements Report {}

  /** How to reach the safekeeper, how patient to be, and how often to report written WAL. */
  public record Settings(String host, int port, String tenantId, String timelineId, Duration reconnect, Duration silence,
      int outboundCapacity, long writtenReportBytes) {
    /** Reports every AppendRequest written. */
    public Settings(String host, int port, String tenantId, String timelineId, Duration reconnect, Duration silence,
        int outboundCapacity) {
      this(host, port, tenantId, timelineId, reconnect, silence, outboundCapacity, 0);
    }
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final int sk;
  private final Settings settings;
  private final ActorRef<Report> owner;
  private long connection;
  private boolean up;
  private BoundedSourceQueue<FrontendMessage> outbound;
  private UniqueKillSwitch killSwitch;
  private long lastHeard;
  /** End LSNs of the CopyData messages queued on the current connection, in order; INVALID for non-appends. */
  private final Deque<Lsn> queued = new ArrayDeque<>();
  /** On the current connection: the end of the last Written report, and of the last append written since. */
  private Lsn reported = Lsn.INVALID;
  private Lsn unreported = Lsn.INVALID;

  public static Behavior<Command> create(int sk, Settings settings, ActorRef<Report> owner) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new SafekeeperLink(ctx, timers, sk, settings, owner)));
  }

  private SafekeeperLink(ActorContext<Command> ctx, TimerScheduler<Command> timers, int sk, Settings settings,
      ActorRef<Report> owner) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.sk = sk;
    this.settings = settings;
    this.owner = owner;
    timers.startTimerWithFixedDelay(new CheckSilence(), settings.silence().dividedBy(4));
    connect();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(Drop.class, m -> {
          if (m.connection() == connection) drop(m.reason());
          return this;
        })
        .onMessage(Connect.class, m -> {
          if (killSwitch == null) connect();
          return this;
        })
        .onMessage(CheckSilence.class, m -> onCheckSilence())
        .onMessage(StreamStarted.class, m -> {
          m.ack().tell(Ack.INSTANCE);
          return this;
        })
        .onMessage(StreamEvent.class, this::onStreamEvent)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessage(OnWire.class, this::onWire)
        .onSignal(PostStop.class, s -> {
          if (killSwitch != null) killSwitch.shutdown();
          return this;
        })
        .build();
  }

  private void connect() {
    connection++;
    long conn = connection;
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", "strata");
    params.put("database", "replication");
    params.put("application_name", "walproposer");
    params.put("options", "-c tenant_id=" + settings.tenantId() + " timeline_id=" + settings.timelineId());
    String server = "safekeeper " + name();
    PgClientSession session = new PgClientSession(server, params, null,
        java.util.List.of("START_WAL_PUSH (proto_version '3', allow_timeline_creation 'true')"));
    ActorRef<Command> self = ctx.getSelf();
    PgClient.Conversation c = PgClient.open(ctx.getSystem(), settings.host(), settings.port(), session,
        settings.outboundCapacity(), m -> {
          if (m instanceof CopyData) self.tell(new OnWire(conn));
        });
    outbound = c.outbound();
    queued.clear();
    reported = Lsn.INVALID;
    unreported = Lsn.INVALID;
    lastHeard = System.nanoTime();
    killSwitch = c.events()
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(ActorSink.<Event, Command, Ack>actorRefWithBackpressure(self,
            (ack, e) -> new StreamEvent(conn, e, ack),
            ack -> new StreamStarted(conn, ack),
            Ack.INSTANCE,
            new StreamEnded(conn, Optional.empty()),
            t -> new StreamEnded(conn, Optional.of(t))), Keep.left())
        .run(Materializer.matFromSystem(ctx.getSystem()));
    ctx.getLog().debug("safekeeper connecting sk={} connection={}", name(), conn);
  }

  private Behavior<Command> onStreamEvent(StreamEvent m) {
    m.ack().tell(Ack.INSTANCE);
    if (m.connection() != connection) return this;
    lastHeard = System.nanoTime();
    if (m.event() instanceof Streaming) {
      up = true;
      ctx.getLog().info("safekeeper up sk={} connection={}", name(), connection);
      owner.tell(new Up(sk, connection));
    } else if (m.event() instanceof Copy copy) {
      try {
        owner.tell(new Received(sk, connection, AcceptorMessage.decode(ByteBuffer.wrap(copy.data()))));
      } catch (WireFormatException e) {
        drop("undecodable message: " + e.getMessage());
      }
    }
    return this;
  }

  private Behavior<Command> onStreamEnded(StreamEnded m) {
    if (m.connection() == connection && killSwitch != null) {
      drop(m.failure().map(t -> describe(t)).orElse("the safekeeper closed the connection"));
    }
    return this;
  }

  private Behavior<Command> onSend(Send m) {
    if (m.connection() != connection || !up) return this;
    Lsn end = m.message() instanceof ProposerMessage.AppendRequest a && a.wal().length > 0 ? a.endLsn() : Lsn.INVALID;
    try {
      PgClient.offer(outbound, new CopyData(m.message().encode()), name());
      queued.addLast(end);
    } catch (IllegalStateException full) {
      drop(full.getMessage());
    }
    return this;
  }

  private Behavior<Command> onWire(OnWire m) {
    if (m.connection() != connection || queued.isEmpty()) return this;
    Lsn end = queued.removeFirst();
    if (end.isValid()) unreported = end;
    // One report per writtenReportBytes, not per append: at one commit per append that was a
    // message through this actor and the owner for every commit and every safekeeper.
    if (unreported.isValid() && (!reported.isValid() || unreported.minus(reported) >= settings.writtenReportBytes())) {
      owner.tell(new Written(sk, connection, unreported));
      reported = unreported;
      unreported = Lsn.INVALID;
    }
    return this;
  }

  private Behavior<Command> onCheckSilence() {
    if (killSwitch != null && System.nanoTime() - lastHeard > settings.silence().toNanos()) {
      drop("nothing heard for " + settings.silence().toMillis() + " ms");
    }
    return this;
  }

  /** Ends the current connection, tells the owner if it was up, and schedules the next one. */
  private void drop(String reason) {
    if (killSwitch == null) return;
    killSwitch.abort(new DroppedConnection(reason));
    try {
      outbound.fail(new DroppedConnection(reason));
    } catch (IllegalStateException alreadyEnded) {
      // the stream finished the queue first: nothing left to close
    }
    killSwitch = null;
    outbound = null;
    queued.clear();
    if (up) {
      ctx.getLog().warn("safekeeper down sk={} connection={} reason={}", name(), connection, reason);
      owner.tell(new Down(sk, connection, reason));
    } else {
      ctx.getLog().warn("safekeeper unreachable sk={} connection={} reason={}", name(), connection, reason);
    }
    up = false;
    timers.startSingleTimer(new Connect(), settings.reconnect());
  }

  private String name() {
    return settings.host() + ":" + settings.port();
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m != null ? m : t.getClass().getSimpleName();
  }

  /** Why a connection was cut from this side. */
  static final class DroppedConnection extends RuntimeException {
    DroppedConnection(String reason) {
      super(reason, null, false, false);
    }
  }
}
