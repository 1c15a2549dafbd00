package actors.safekeeper;

import actors.net.PgSession;
import actors.net.ReadCredit;
import actors.net.PgSession.Outbox;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import wire.WireFormatException;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReplicationCommand;
import wire.pg.SqlState;
import wire.pg.StartupPacket;
import wire.pg.Terminate;
import wire.sk.ProposerMessage;

/**
 * One client connection to a safekeeper: startup (tenant and timeline from {@code options}), then
 * simple-query commands. {@code START_WAL_PUSH} makes it a proposer connection whose CopyData
 * messages go to the timeline's acceptor: once the acceptor is known, the connection's reader hands
 * them over itself ({@link ProposerBypass}) and the acceptor writes its answers to the socket itself
 * ({@link ProposerReplies}), so an append crosses one thread hand-off, not three; this session keeps
 * the greeting, refusals and the connection's end. {@code START_REPLICATION} hands it to a {@link WalSender}.
 */
public final class SafekeeperSession extends AbstractBehavior<SafekeeperSession.Command> {
  public sealed interface Command {}
  record Received(ReadCredit ack, FrontendMessage message) implements Command {}
  enum Closed implements Command { INSTANCE }
  record Failed(Throwable cause) implements Command {}
  private record FromAcceptor(TimelineAcceptor.Reply reply) implements Command {}
  private record Resolved(Timelines.Resolved result, ProposerMessage.ProposerGreeting greeting) implements Command {}
  private record Queried(SafekeeperQueries.Result result) implements Command {}
  record SenderDone(Optional<String> error) implements Command {}

  static final PgSession.Protocol<Command> PROTOCOL =
      new PgSession.Protocol<>(Received::new, Closed.INSTANCE, Failed::new);

  private enum Mode { STARTUP, IDLE, BUSY, PUSH, SEND, CLOSING }
  private enum CloseTimeout implements Command { INSTANCE }

  private final ActorContext<Command> ctx;
  private final SafekeeperSettings settings;
  private final ActorRef<Timelines.Command> timelines;
  private final Outbox out;
  private final PgSession.Route route;
  /** The acceptor's way back to this connection: answers go straight to the socket, refusals come here. */
  private final ProposerReplies replies;
  private Mode mode = Mode.STARTUP;
  private StartupOptions startup;
  private ActorRef<TimelineAcceptor.Command> acceptor;
  private ActorRef<WalSender.Command> sender;
  private int senders;

  /** {@code route}: where the session lets the connection's reader hand proposer messages straight to the acceptor. */
  static Behavior<Command> create(SafekeeperSettings settings, ActorRef<Timelines.Command> timelines, Outbox out,
      PgSession.Route route) {
    return Behaviors.setup(ctx -> new SafekeeperSession(ctx, settings, timelines, out, route));
  }

  /** How long a closing connection may take to flush its last messages before the session stops anyway. */
  private static final java.time.Duration CLOSE_GRACE = java.time.Duration.ofSeconds(5);

  private SafekeeperSession(ActorContext<Command> ctx, SafekeeperSettings settings,
      ActorRef<Timelines.Command> timelines, Outbox out, PgSession.Route route) {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.timelines = timelines;
    this.out = out;
    this.route = route;
    ActorRef<Command> self = ctx.getSelf();
    this.replies = new ProposerReplies(out, refusal -> self.tell(new FromAcceptor(refusal)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, this::onReceived)
        .onMessage(FromAcceptor.class, this::onAcceptorReply)
        .onMessage(Resolved.class, this::onResolved)
        .onMessage(Queried.class, this::onQueried)
        .onMessage(SenderDone.class, this::onSenderDone)
        .onMessageEquals(Closed.INSTANCE, this::onGone)
        .onMessageEquals(CloseTimeout.INSTANCE, this::onGone)
        .onMessage(Failed.class, m -> onGone())
        .build();
  }

  private Behavior<Command> onReceived(Received m) {
    FrontendMessage msg = m.message();
    if (mode == Mode.CLOSING) return ack(m.ack());   // drain what the client still sends
    if (msg instanceof Terminate) return finish();
    return switch (mode) {
      case STARTUP -> onStartup(m.ack(), msg);
      case IDLE -> msg instanceof Query q ? onQuery(m.ack(), q.sql()) : protocolViolation("unexpected " + name(msg) + " outside a command");
      case PUSH -> onPush(m.ack(), msg);
      case SEND -> {
        sender.tell(new WalSender.FromClient(msg));
        yield ack(m.ack());
      }
      case BUSY -> protocolViolation("unexpected " + name(msg) + " while a command runs");
      case CLOSING -> ack(m.ack());
    };
  }

  private Behavior<Command> onStartup(ReadCredit ack, FrontendMessage msg) {
    if (msg instanceof StartupPacket.SslRequest || msg instanceof StartupPacket.GssEncRequest) {
      out.send(wire.pg.EncryptionResponse.REFUSED);
      return ack(ack);
    }
    if (!(msg instanceof StartupPacket.StartupMessage s)) return finish();   // cancel requests and the like
    try {
      startup = StartupOptions.of(s);
    } catch (IllegalArgumentException bad) {
      return fatal(SqlState.PROTOCOL_VIOLATION, bad.getMessage());
    }
    SafekeeperQueries.greeting(s).forEach(out::send);
    mode = Mode.IDLE;
    return ack(ack);
  }

  private Behavior<Command> onQuery(ReadCredit ack, String sql) {
    ReplicationCommand command;
    try {
      command = ReplicationCommand.parse(sql);
    } catch (ProtocolException e) {
      sendAll(List.of(e.toErrorResponse(), SafekeeperQueries.READY));
      return ack(ack);
    }
    if (command instanceof ReplicationCommand.StartWalPush) {
      if (startup.timeline().isEmpty()) return fatal(SqlState.PROTOCOL_VIOLATION, StartupOptions.MISSING_IDS);
      out.send(new CopyResponse.CopyBothResponse(0, List.of()));
      mode = Mode.PUSH;
      return ack(ack);
    }
    if (command instanceof ReplicationCommand.StartReplication start) {
      if (startup.timeline().isEmpty()) return fatal(SqlState.PROTOCOL_VIOLATION, StartupOptions.MISSING_IDS);
      sender = ctx.spawn(WalSender.create(settings, timelines, startup.timeline().get(), start, out, ctx.getSelf(),
          startup.applicationName()), "sender-" + (++senders));
      mode = Mode.SEND;
      return ack(ack);
    }
    mode = Mode.BUSY;
    ctx.pipeToSelf(SafekeeperQueries.answer(ctx.getSystem(), timelines, startup, command), (result, error) ->
        new Queried(error == null ? result : SafekeeperQueries.Result.failure(SqlState.INTERNAL_ERROR, error.getMessage())));
    return ack(ack);
  }

  private Behavior<Command> onQueried(Queried m) {
    if (mode == Mode.CLOSING) return this;
    sendAll(m.result().messages());
    sendAll(List.of(SafekeeperQueries.READY));
    mode = Mode.IDLE;
    return this;
  }

  private Behavior<Command> onPush(ReadCredit ack, FrontendMessage msg) {
    if (msg instanceof CopyDone) return finish();
    if (!(msg instanceof CopyData data)) return protocolViolation("unexpected " + name(msg) + " in START_WAL_PUSH");
    ProposerMessage pm;
    try {
      pm = ProposerMessage.decode(ByteBuffer.wrap(data.data()));
    } catch (WireFormatException e) {
      return fatal(SkError.MALFORMED.sqlState(), e.getMessage());
    }
    if (acceptor == null) {
      if (!(pm instanceof ProposerMessage.ProposerGreeting g)) {
        return fatal(SkError.MALFORMED.sqlState(), "the first proposer message must be a greeting, got " + name(pm));
      }
      TimelineId id = startup.timeline().get();
      if (!id.tenantId().equals(g.tenantId()) || !id.timelineId().equals(g.timelineId())) {
        return fatal(SkError.IDENTITY_MISMATCH.sqlState(), "greeting names timeline " + g.tenantId() + "/" + g.timelineId()
            + " but the connection options name " + id);
      }
      mode = Mode.BUSY;
      ctx.ask(Timelines.Resolved.class, timelines, java.time.Duration.ofSeconds(30),
          r -> new Timelines.Resolve(id, Optional.of(new Timelines.Creation(g.pgVersion(), g.systemId(), g.walSegSize())), r),
          (res, err) -> new Resolved(err == null ? res
              : new Timelines.NotFound(SkError.STORAGE.failure("timeline registry did not answer: " + err.getMessage())), g));
      return ack(ack);
    }
    // Votes, elections and appends read after the acceptor's greeting go to the acceptor through the
    // bypass; one that reaches the session was sent before that greeting came.
    if (pm instanceof ProposerMessage.ProposerGreeting) return fatal(SkError.MALFORMED.sqlState(), "a second greeting on one connection");
    return protocolViolation(name(pm) + " sent before the AcceptorGreeting");
  }

  private Behavior<Command> onResolved(Resolved m) {
    if (mode == Mode.CLOSING) return this;
    if (m.result() instanceof Timelines.NotFound nf) return fatal(nf.failure().kind().sqlState(), nf.failure().message());
    acceptor = ((Timelines.Found) m.result()).acceptor();
    route.install(new ProposerBypass(acceptor, replies));   // before the greeting: the client waits for it
    acceptor.tell(new TimelineAcceptor.Greet(m.greeting(), replies));
    mode = Mode.PUSH;
    return this;
  }

  /** Only refusals come here; answers are written by {@link ProposerReplies}. */
  private Behavior<Command> onAcceptorReply(FromAcceptor m) {
    if (mode == Mode.CLOSING) return this;
    TimelineAcceptor.Refusal r = (TimelineAcceptor.Refusal) m.reply();
    return fatal(r.failure().kind().sqlState(), r.failure().message());
  }

  private Behavior<Command> onSenderDone(SenderDone m) {
    if (mode == Mode.CLOSING) return this;
    if (m.error().isPresent()) return fatal(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, m.error().get());
    sender = null;
    mode = Mode.IDLE;   // the copy ended cleanly; more commands may follow
    return this;
  }

  private Behavior<Command> onGone() {
    route.remove();
    if (acceptor != null) acceptor.tell(new TimelineAcceptor.Disconnected(replies));
    return Behaviors.stopped();
  }

  private Behavior<Command> ack(ReadCredit ack) {
    ack.release();
    return this;
  }

  private void sendAll(List<BackendMessage> messages) {
    messages.forEach(out::send);
  }

  private Behavior<Command> protocolViolation(String what) {
    return fatal(SqlState.PROTOCOL_VIOLATION, what);
  }

  /** One error to the client, then the connection closes. */
  private Behavior<Command> fatal(String sqlState, String message) {
    ctx.getLog().warn("safekeeper connection closed reason=\"{}\" timeline={}", message,
        startup == null ? "-" : startup.timeline().map(Object::toString).orElse("-"));
    out.send(ErrorResponse.fatal(sqlState, message));
    return finish();
  }

  /**
   * Ends the connection after what was sent. The session lives on until the stream reports the
   * close: stopping now would fail the inbound side and reset the socket before a final error
   * reply reaches the client.
   */
  private Behavior<Command> finish() {
    if (mode == Mode.CLOSING) return this;
    mode = Mode.CLOSING;
    route.remove();   // what the client still sends comes here and is drained
    if (acceptor != null) acceptor.tell(new TimelineAcceptor.Disconnected(replies));
    acceptor = null;
    out.close();
    ctx.scheduleOnce(CLOSE_GRACE, ctx.getSelf(), CloseTimeout.INSTANCE);
    return this;
  }

  private static String name(Object o) {
    return o.getClass().getSimpleName();
  }
}
