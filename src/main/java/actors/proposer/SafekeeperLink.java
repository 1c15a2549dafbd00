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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import wire.WireFormatException;
import wire.pg.CopyData;
import wire.sk.AcceptorMessage;
import wire.sk.ProposerMessage;
import wire.xlog.Lsn;

/**
 * One safekeeper connection of a proposer (safekeeper.md §4.2): startup with the timeline in the
 * options, {@code START_WAL_PUSH (proto_version '3')}, then one consensus message per CopyData in
 * each direction. It reconnects after {@link Settings#reconnect()} and drops a connection that
 * stayed silent for {@link Settings#silence()}. It knows nothing of the protocol's meaning: the
 * owner sends and interprets messages. Each connection has a number so the owner can tell stale
 * events from current ones. The connection is a {@link BlockingConversation}: a thread of its own
 * reads and decodes the safekeeper's messages and tells them here; sends are written to the socket
 * by this actor (large ones, or any behind them, by the outbox's writer thread), no stream between.
 */
public final class SafekeeperLink extends AbstractBehavior<SafekeeperLink.Command> {
  public sealed interface Command {}
  /** Send on connection {@code connection}; ignored when that connection is gone. */
  public record Send(long connection, ProposerMessage message) implements Command {}
  /** Close connection {@code connection} (the owner saw it misbehave); a new one follows. */
  public record Drop(long connection, String reason) implements Command {}
  private record Connect() implements Command {}
  private record CheckSilence() implements Command {}
  private record StreamEvent(long connection, Event event) implements Command {}
  private record StreamEnded(long connection, Optional<Throwable> failure) implements Command {}
  /** A queued append reached the socket (the outbox's writer thread wrote it). */
  private record OnWire(long connection, Lsn end) implements Command {}

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
  private BlockingConversation conversation;
  private long lastHeard;
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
          if (conversation == null) connect();
          return this;
        })
        .onMessage(CheckSilence.class, m -> onCheckSilence())
        .onMessage(StreamEvent.class, this::onStreamEvent)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessage(OnWire.class, this::onWire)
        .onSignal(PostStop.class, s -> {
          if (conversation != null) conversation.abort();
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
    conversation = BlockingConversation.open("sk-link-" + sk + "-" + conn, settings.host(), settings.port(), session,
        settings.outboundCapacity(), settings.silence(), new BlockingConversation.Listener() {
          @Override
          public void onEvent(Event e) {
            self.tell(new StreamEvent(conn, e));
          }

          @Override
          public void onEnd(Optional<Throwable> failure) {
            self.tell(new StreamEnded(conn, failure));
          }
        });
    reported = Lsn.INVALID;
    unreported = Lsn.INVALID;
    lastHeard = System.nanoTime();
    ctx.getLog().debug("safekeeper connecting sk={} connection={}", name(), conn);
  }

  private Behavior<Command> onStreamEvent(StreamEvent m) {
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
    if (m.connection() == connection && conversation != null) {
      drop(m.failure().map(t -> describe(t)).orElse("the safekeeper closed the connection"));
    }
    return this;
  }

  private Behavior<Command> onSend(Send m) {
    if (m.connection() != connection || !up) return this;
    Lsn end = m.message() instanceof ProposerMessage.AppendRequest a && a.wal().length > 0 ? a.endLsn() : Lsn.INVALID;
    var sent = conversation.outbox().send(new CopyData(m.message().encode()).encode()).toCompletableFuture();
    if (sent.isCompletedExceptionally()) {
      drop(describe(sent.handle((ok, err) -> err).join()));
    } else if (sent.isDone()) {
      if (end.isValid()) written(end);   // written here, no hand-off: report without a message to self
    } else if (end.isValid()) {
      long conn = connection;
      ActorRef<Command> self = ctx.getSelf();
      sent.thenRun(() -> self.tell(new OnWire(conn, end)));   // the writer thread got to it; frames go out in order
    }
    return this;
  }

  private Behavior<Command> onWire(OnWire m) {
    if (m.connection() == connection) written(m.end());
    return this;
  }

  /**
   * One report per writtenReportBytes, not per append: at one commit per append that was a message
   * through this actor and the owner for every commit and every safekeeper.
   */
  private void written(Lsn end) {
    if (reported.isValid() && !end.isAfter(reported)) return;   // a late writer-thread report behind a direct write
    unreported = Lsn.max(unreported, end);
    if (!reported.isValid() || unreported.minus(reported) >= settings.writtenReportBytes()) {
      owner.tell(new Written(sk, connection, unreported));
      reported = unreported;
      unreported = Lsn.INVALID;
    }
  }

  private Behavior<Command> onCheckSilence() {
    if (conversation != null && System.nanoTime() - lastHeard > settings.silence().toNanos()) {
      drop("nothing heard for " + settings.silence().toMillis() + " ms");
    }
    return this;
  }

  /** Ends the current connection, tells the owner if it was up, and schedules the next one. */
  private void drop(String reason) {
    if (conversation == null) return;
    conversation.abort();   // the reader thread fails and tells a stale StreamEnded, which is ignored
    conversation = null;
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
}
