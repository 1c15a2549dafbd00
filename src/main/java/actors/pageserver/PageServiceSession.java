package actors.pageserver;

import actors.net.PgSession;
import actors.net.PgSession.Ack;
import actors.net.PgSession.Outbox;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import wire.WireFormatException;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ParameterStatus;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.SqlState;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

/**
 * One connection to the page service: startup, then simple queries. {@code pagestream_v2 T TL}
 * turns it into a stream of page requests, answered in request order while up to
 * {@link #MAX_IN_FLIGHT} run at once; {@code basebackup T TL [LSN]} streams a tar.
 */
public final class PageServiceSession extends AbstractBehavior<PageServiceSession.Command> {
  public sealed interface Command {}
  record Opened(ActorRef<Ack> ack) implements Command {}
  record Received(ActorRef<Ack> ack, FrontendMessage message) implements Command {}
  enum Closed implements Command { INSTANCE }
  record Failed(Throwable cause) implements Command {}
  private record Answered(long seq, PagestreamResponse response) implements Command {}
  private record BackupDone(Throwable error) implements Command {}
  private enum CloseTimeout implements Command { INSTANCE }

  static final PgSession.Protocol<Command> PROTOCOL =
      new PgSession.Protocol<>(Opened::new, Received::new, Closed.INSTANCE, Failed::new);

  private static final int MAX_IN_FLIGHT = 32;
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private enum Mode { STARTUP, IDLE, PAGESTREAM, BUSY, CLOSING }

  private final ActorContext<Command> ctx;
  private final PageserverRegistry registry;
  private final Basebackups basebackups;
  private final Outbox out;
  private Mode mode = Mode.STARTUP;
  private TimelineHandle timeline;
  private long nextSeq;
  private long nextToSend;
  private final Map<Long, PagestreamResponse> finished = new HashMap<>();
  private final ArrayDeque<ActorRef<Ack>> heldAcks = new ArrayDeque<>();

  static Behavior<Command> create(PageserverRegistry registry, Basebackups basebackups, Outbox out) {
    return Behaviors.setup(ctx -> new PageServiceSession(ctx, registry, basebackups, out));
  }

  private PageServiceSession(ActorContext<Command> ctx, PageserverRegistry registry, Basebackups basebackups, Outbox out) {
    super(ctx);
    this.ctx = ctx;
    this.registry = registry;
    this.basebackups = basebackups;
    this.out = out;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Opened.class, m -> ack(m.ack()))
        .onMessage(Received.class, this::onReceived)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(BackupDone.class, this::onBackupDone)
        .onMessageEquals(Closed.INSTANCE, Behaviors::stopped)
        .onMessageEquals(CloseTimeout.INSTANCE, Behaviors::stopped)
        .onMessage(Failed.class, m -> Behaviors.stopped())
        .build();
  }

  private Behavior<Command> onReceived(Received m) {
    FrontendMessage msg = m.message();
    if (mode == Mode.CLOSING) return ack(m.ack());
    if (msg instanceof Terminate) return finish();
    return switch (mode) {
      case STARTUP -> onStartup(m.ack(), msg);
      case IDLE -> msg instanceof Query q ? onQuery(m.ack(), q.sql().trim()) : fatal(SqlState.PROTOCOL_VIOLATION,
          "unexpected " + msg.getClass().getSimpleName() + " outside a command");
      case PAGESTREAM -> onPageMessage(m.ack(), msg);
      case BUSY -> fatal(SqlState.PROTOCOL_VIOLATION, "unexpected " + msg.getClass().getSimpleName() + " while a command runs");
      case CLOSING -> ack(m.ack());
    };
  }

  private Behavior<Command> onStartup(ActorRef<Ack> ack, FrontendMessage msg) {
    if (msg instanceof StartupPacket.SslRequest || msg instanceof StartupPacket.GssEncRequest) {
      out.send(wire.pg.EncryptionResponse.REFUSED);
      return ack(ack);
    }
    if (!(msg instanceof StartupPacket.StartupMessage)) return finish();
    sendAll(List.of(new wire.pg.Authentication.Ok(),
        new ParameterStatus("server_version", "15.0 (strata pageserver)"),
        new ParameterStatus("server_encoding", "UTF8"),
        new ParameterStatus("client_encoding", "UTF8"),
        new ParameterStatus("DateStyle", "ISO, MDY"),
        new ParameterStatus("integer_datetimes", "on"),
        new ParameterStatus("standard_conforming_strings", "on"),
        ReadyForQuery.IDLE));
    mode = Mode.IDLE;
    return ack(ack);
  }

  private Behavior<Command> onQuery(ActorRef<Ack> ack, String sql) {
    String[] words = sql.replaceAll(";\\s*$", "").split("\\s+");
    String verb = words[0].toLowerCase(java.util.Locale.ROOT);
    try {
      if (verb.equals("pagestream_v2")) {
        if (words.length != 3) throw PsError.BAD_REQUEST.failure("usage: pagestream_v2 <tenant_id> <timeline_id>");
        timeline = registry.timeline(words[1], words[2]);
        out.send(new CopyResponse.CopyBothResponse(0, List.of()));
        mode = Mode.PAGESTREAM;
        return ack(ack);
      }
      if (verb.equals("basebackup")) {
        Basebackups.Request req = Basebackups.Request.parse(words);
        TimelineHandle tl = registry.timeline(req.tenantId(), req.timelineId());
        mode = Mode.BUSY;
        ctx.pipeToSelf(basebackups.stream(tl, req, out), (ok, err) -> new BackupDone(err));
        return ack(ack);
      }
      if (verb.equals("set")) {
        sendAll(List.of(new CommandComplete("SET"), ReadyForQuery.IDLE));
        return ack(ack);
      }
      throw PsError.BAD_REQUEST.failure("unsupported command '" + words[0] + "': the page service takes pagestream_v2, basebackup and set");
    } catch (PsError.Failure f) {
      sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
      return ack(ack);
    }
  }

  private Behavior<Command> onBackupDone(BackupDone m) {
    if (mode == Mode.CLOSING) return this;
    if (m.error() != null) {
      PsError.Failure f = PsError.of(m.error());
      ctx.getLog().warn("basebackup failed timeline={} reason=\"{}\"", timeline, f.getMessage());
      // The client may have half a tar: the error tells it not to use it.
      sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
    } else {
      sendAll(List.of(new CommandComplete("COPY"), ReadyForQuery.IDLE));
    }
    mode = Mode.IDLE;
    return this;
  }

  private Behavior<Command> onPageMessage(ActorRef<Ack> ack, FrontendMessage msg) {
    if (msg instanceof CopyDone) return finish();
    if (!(msg instanceof CopyData data)) {
      return fatal(SqlState.PROTOCOL_VIOLATION, "unexpected " + msg.getClass().getSimpleName() + " in pagestream");
    }
    long seq = nextSeq++;
    PagestreamRequest req;
    try {
      req = PagestreamRequest.decode(ByteBuffer.wrap(data.data()));
    } catch (WireFormatException | RuntimeException e) {
      // Answer in order with an error; the stream stays usable.
      ctx.getSelf().tell(new Answered(seq, new PagestreamResponse.Error("malformed pagestream request: " + e.getMessage())));
      return ack(ack);
    }
    CompletableFuture<PagestreamResponse> answer = PageRequests.answer(timeline, req).toCompletableFuture();
    if (answer.isDone()) {
      // Most pages are read without waiting (no redo, LSN reached): answer now, one hop less.
      PagestreamResponse r;
      try {
        r = answer.join();
      } catch (CompletionException | CancellationException e) {
        r = errorResponse(e.getCause() != null ? e.getCause() : e);
      }
      sendInOrder(seq, r);
    } else {
      ctx.pipeToSelf(answer, (r, err) -> new Answered(seq, err == null ? r : errorResponse(err)));
    }
    if (nextSeq - nextToSend >= MAX_IN_FLIGHT) {
      heldAcks.add(ack);   // read no more until answers go out
      return this;
    }
    return ack(ack);
  }

  private static PagestreamResponse errorResponse(Throwable err) {
    return new PagestreamResponse.Error(PsError.of(err).getMessage());
  }

  private Behavior<Command> onAnswered(Answered m) {
    if (mode == Mode.CLOSING) return this;
    sendInOrder(m.seq(), m.response());
    return this;
  }

  /** Sends every answer whose turn has come, then reads on if fewer than the limit are in flight. */
  private void sendInOrder(long seq, PagestreamResponse response) {
    finished.put(seq, response);
    PagestreamResponse next;
    while ((next = finished.remove(nextToSend)) != null) {
      if (next instanceof PagestreamResponse.Error e) ctx.getLog().warn("pagestream error timeline={} reason=\"{}\"", timeline, e.message());
      out.send(new CopyData(next.encode()));
      nextToSend++;
    }
    while (!heldAcks.isEmpty() && nextSeq - nextToSend < MAX_IN_FLIGHT) heldAcks.poll().tell(Ack.INSTANCE);
  }

  private Behavior<Command> ack(ActorRef<Ack> ack) {
    ack.tell(Ack.INSTANCE);
    return this;
  }

  private void sendAll(List<BackendMessage> messages) {
    messages.forEach(out::send);
  }

  private Behavior<Command> fatal(String sqlState, String message) {
    ctx.getLog().warn("page service connection closed reason=\"{}\"", message);
    out.send(ErrorResponse.fatal(sqlState, message));
    return finish();
  }

  private Behavior<Command> finish() {
    if (mode == Mode.CLOSING) return this;
    mode = Mode.CLOSING;
    heldAcks.forEach(a -> a.tell(Ack.INSTANCE));
    heldAcks.clear();
    out.close();
    ctx.scheduleOnce(CLOSE_GRACE, ctx.getSelf(), CloseTimeout.INSTANCE);
    return this;
  }
}
