package actors.proposer;

import actors.proposer.PgClientSession.Copy;
import actors.proposer.PgClientSession.Event;
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
import wire.sk.AcceptorMessage;
import wire.xlog.Lsn;

/**
 * One safekeeper connection of a proposer (safekeeper.md §4.2): startup with the timeline in the
 * options, {@code START_WAL_PUSH (proto_version '3')}, then one consensus message per CopyData in
 * each direction. It reconnects after {@link Settings#reconnect()} and drops a connection that
 * stayed silent for {@link Settings#silence()}. It knows nothing of the protocol's meaning: the
 * owner sends and interprets messages. Each connection has a number so the owner can tell stale
 * events from current ones. The connection is a {@link BlockingConversation}. The hot path passes
 * by this actor: the connection's reader thread decodes the safekeeper's messages and tells them
 * straight to the owner, and the owner writes its messages to the socket through the
 * {@link SafekeeperWire} it got in {@link Up}. This actor keeps the connection's life (connect,
 * silence, drop, reconnect).
 */
public final class SafekeeperLink extends AbstractBehavior<SafekeeperLink.Command> {
  public sealed interface Command {}
  /** Close connection {@code connection} (the owner saw it misbehave); a new one follows. */
  public record Drop(long connection, String reason) implements Command {}
  private record Connect() implements Command {}
  private record CheckSilence() implements Command {}
  private record Streaming(long connection) implements Command {}
  private record StreamEnded(long connection, Optional<Throwable> failure) implements Command {}

  /** What the owner hears, each naming the safekeeper index and the connection. */
  public sealed interface Report {}
  /** COPY BOTH is established: the greeting may be sent, through {@code wire}. */
  public record Up(int sk, long connection, SafekeeperWire wire) implements Report {}
  /** Told by the connection's reader thread. */
  public record Received(int sk, long connection, AcceptorMessage message) implements Report {}
  /** AppendRequests up to {@code endLsn} reached the socket, told once after {@link SafekeeperWire#wakeWhenWritten}. */
  public record Written(int sk, long connection, Lsn endLsn) implements Report {}
  /** A connection that was up is gone. */
  public record Down(int sk, long connection, String reason) implements Report {}

  /** How to reach the safekeeper, how patient to be, and how many frames may wait for its socket. */
  public record Settings(String host, int port, String tenantId, String timelineId, Duration reconnect, Duration silence,
      int outboundCapacity) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final int sk;
  private final Settings settings;
  private final ActorRef<Report> owner;
  private long connection;
  private boolean up;
  private BlockingConversation conversation;
  private SafekeeperWire wire;
  /** System.nanoTime() of the last message, set by the reader thread. */
  private volatile long lastHeard;

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
        .onMessage(Drop.class, m -> {
          if (m.connection() == connection) drop(m.reason());
          return this;
        })
        .onMessage(Connect.class, m -> {
          if (conversation == null) connect();
          return this;
        })
        .onMessage(CheckSilence.class, m -> onCheckSilence())
        .onMessage(Streaming.class, this::onStreaming)
        .onMessage(StreamEnded.class, this::onStreamEnded)
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
    int index = sk;
    conversation = BlockingConversation.open("sk-link-" + sk + "-" + conn, settings.host(), settings.port(), session,
        settings.outboundCapacity(), settings.silence(), new BlockingConversation.Listener() {
          @Override
          public void onEvent(Event e) {
            lastHeard = System.nanoTime();
            if (e instanceof PgClientSession.Streaming) {
              self.tell(new Streaming(conn));
            } else if (e instanceof Copy copy) {
              try {   // straight to the owner: a reply crosses one hand-off, not two
                owner.tell(new Received(index, conn, AcceptorMessage.decode(ByteBuffer.wrap(copy.data()))));
              } catch (WireFormatException ex) {
                self.tell(new Drop(conn, "undecodable message: " + ex.getMessage()));
              }
            }
          }

          @Override
          public void onEnd(Optional<Throwable> failure) {
            self.tell(new StreamEnded(conn, failure));
          }
        });
    wire = new SafekeeperWire(sk, conn, conversation.outbox(), self, owner);
    lastHeard = System.nanoTime();
    ctx.getLog().debug("safekeeper connecting sk={} connection={}", name(), conn);
  }

  /**
   * COPY BOTH is up. The safekeeper speaks only after the owner's greeting, which follows this Up,
   * so no Received of this connection reaches the owner before it.
   */
  private Behavior<Command> onStreaming(Streaming m) {
    if (m.connection() != connection || conversation == null) return this;
    up = true;
    ctx.getLog().info("safekeeper up sk={} connection={}", name(), connection);
    owner.tell(new Up(sk, connection, wire));
    return this;
  }

  private Behavior<Command> onStreamEnded(StreamEnded m) {
    if (m.connection() == connection && conversation != null) {
      drop(m.failure().map(t -> describe(t)).orElse("the safekeeper closed the connection"));
    }
    return this;
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
    wire = null;
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
