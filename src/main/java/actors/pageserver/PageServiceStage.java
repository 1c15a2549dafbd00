package actors.pageserver;

import actors.net.PgSession.Outbox;
import akka.Done;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogicWithLogging;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import wire.WireFormatException;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.EncryptionResponse;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.SqlState;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

/**
 * One connection to the page service as a stream stage: startup, then simple queries.
 * {@code pagestream_v2 T TL} turns it into a stream of page requests, answered in request order while
 * up to {@link #MAX_IN_FLIGHT} run at once; {@code basebackup T TL [LSN]} streams a tar.
 *
 * <p>Why a stage and not an actor: a page read from a layer needs no waiting, so the answer is made
 * where the request is decoded, on the stream's own thread. Before, each request hopped from the
 * stream to a session actor and back (a message, an acknowledgement, a queue offer), which on two
 * cores cost more than the read itself. Reads that must wait (an LSN not reached yet, WAL redo)
 * still run off the stage and come back through an async callback; the Timeline actor still owns
 * every change to the timeline.
 */
final class PageServiceStage extends GraphStage<FlowShape<FrontendMessage, BackendMessage>> {
  static final int MAX_IN_FLIGHT = 32;
  private static final int MAX_QUEUED_OUT = 64;   // messages made but not yet taken by TCP; reading stops above it
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final Inlet<FrontendMessage> in = Inlet.create("PageService.in");
  private final Outlet<BackendMessage> out = Outlet.create("PageService.out");
  private final FlowShape<FrontendMessage, BackendMessage> shape = FlowShape.of(in, out);
  private final PageserverRegistry registry;
  private final Basebackups basebackups;

  PageServiceStage(PageserverRegistry registry, Basebackups basebackups) {
    this.registry = registry;
    this.basebackups = basebackups;
  }

  @Override
  public FlowShape<FrontendMessage, BackendMessage> shape() {
    return shape;
  }

  private enum Mode { STARTUP, IDLE, PAGESTREAM, BUSY, CLOSING }

  /** A page request in flight: its answer, once known; answers leave in the order requests came. */
  private static final class Slot {
    PagestreamResponse response;
  }

  /** A message for the client, and the basebackup's wait for it to be taken (null for the stage's own). */
  private record Outgoing(BackendMessage message, CompletableFuture<Done> taken) {}

  private record Answer(Slot slot, PagestreamResponse response) {}

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogicWithLogging(shape) {
      private Mode mode = Mode.STARTUP;
      private TimelineHandle timeline;
      private final ArrayDeque<Slot> inFlight = new ArrayDeque<>();
      private final ArrayDeque<Outgoing> queued = new ArrayDeque<>();
      private AsyncCallback<Answer> answered;
      private AsyncCallback<Outgoing> sentFromOutside;
      private AsyncCallback<Throwable> backupDone;

      {
        setHandler(in, new AbstractInHandler() {
          @Override public void onPush() {
            onMessage(grab(in));
            pullIfRoom();
          }

          @Override public void onUpstreamFinish() {
            finish();
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override public void onPull() {
            pushQueued();
            pullIfRoom();
          }
        });
      }

      @Override public void preStart() {
        answered = createAsyncCallback(a -> {
          a.slot().response = a.response();
          sendAnswers();
          pullIfRoom();
        });
        sentFromOutside = createAsyncCallback(o -> {
          if (mode == Mode.CLOSING) o.taken().completeExceptionally(new IllegalStateException("connection closing"));
          else queue(o);
        });
        backupDone = createAsyncCallback(this::onBackupDone);
        pull(in);
      }

      @Override public void postStop() {
        for (Outgoing o : queued) if (o.taken() != null) o.taken().completeExceptionally(new IllegalStateException("connection closed"));
        queued.clear();
      }

      @Override public void onTimer(Object key) {
        completeStage();
      }

      // --- input ---

      private void onMessage(FrontendMessage msg) {
        if (mode == Mode.CLOSING) return;
        if (msg instanceof Terminate) {
          finish();
          return;
        }
        switch (mode) {
          case STARTUP -> onStartup(msg);
          case IDLE -> {
            if (msg instanceof Query q) onQuery(q.sql().trim());
            else fatal("unexpected " + msg.getClass().getSimpleName() + " outside a command");
          }
          case PAGESTREAM -> onPageMessage(msg);
          case BUSY -> fatal("unexpected " + msg.getClass().getSimpleName() + " while a command runs");
          default -> { }
        }
      }

      private void onStartup(FrontendMessage msg) {
        if (msg instanceof StartupPacket.SslRequest || msg instanceof StartupPacket.GssEncRequest) {
          send(EncryptionResponse.REFUSED);
          return;
        }
        if (!(msg instanceof StartupPacket.StartupMessage)) {
          finish();
          return;
        }
        sendAll(PageServiceConnection.startupReply());
        mode = Mode.IDLE;
      }

      private void onQuery(String sql) {
        String[] words = sql.replaceAll(";\\s*$", "").split("\\s+");
        String verb = words[0].toLowerCase(java.util.Locale.ROOT);
        try {
          if (verb.equals("pagestream_v2")) {
            if (words.length != 3) throw PsError.BAD_REQUEST.failure("usage: pagestream_v2 <tenant_id> <timeline_id>");
            timeline = registry.timeline(words[1], words[2]);
            send(new CopyResponse.CopyBothResponse(0, List.of()));
            mode = Mode.PAGESTREAM;
            return;
          }
          if (verb.equals("basebackup")) {
            Basebackups.Request req = Basebackups.Request.parse(words);
            TimelineHandle tl = registry.timeline(req.tenantId(), req.timelineId());
            timeline = tl;
            mode = Mode.BUSY;
            Outbox outbox = new Outbox(this::sendFromOutside, () -> { });
            basebackups.stream(tl, req, outbox).whenComplete((ok, err) -> backupDone.invoke(err));
            return;
          }
          if (verb.equals("set")) {
            sendAll(List.of(new CommandComplete("SET"), ReadyForQuery.IDLE));
            return;
          }
          throw PsError.BAD_REQUEST.failure("unsupported command '" + words[0] + "': the page service takes pagestream_v2, basebackup and set");
        } catch (PsError.Failure f) {
          sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
        }
      }

      private void onBackupDone(Throwable error) {
        if (mode == Mode.CLOSING) return;
        if (error != null) {
          PsError.Failure f = PsError.of(error);
          log().warning("basebackup failed timeline={} reason=\"{}\"", timeline, f.getMessage());
          // The client may have half a tar: the error tells it not to use it.
          sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
        } else {
          sendAll(List.of(new CommandComplete("COPY"), ReadyForQuery.IDLE));
        }
        mode = Mode.IDLE;
        pullIfRoom();
      }

      private void onPageMessage(FrontendMessage msg) {
        if (msg instanceof CopyDone) {
          finish();
          return;
        }
        if (!(msg instanceof CopyData data)) {
          fatal("unexpected " + msg.getClass().getSimpleName() + " in pagestream");
          return;
        }
        Slot slot = new Slot();
        inFlight.add(slot);
        PagestreamRequest req;
        try {
          req = PagestreamRequest.decode(ByteBuffer.wrap(data.data()));
        } catch (WireFormatException | RuntimeException e) {
          // Answered in order with an error; the stream stays usable.
          slot.response = new PagestreamResponse.Error("malformed pagestream request: " + e.getMessage());
          sendAnswers();
          return;
        }
        CompletableFuture<PagestreamResponse> answer = PageRequests.answer(timeline, req).toCompletableFuture();
        if (answer.isDone()) {
          slot.response = resultOf(answer);   // most pages: read from a layer at once, answered here
          sendAnswers();
        } else {
          answer.whenComplete((r, err) -> answered.invoke(new Answer(slot, err == null ? r : errorResponse(err))));
        }
      }

      private PagestreamResponse resultOf(CompletableFuture<PagestreamResponse> done) {
        try {
          return done.join();
        } catch (CompletionException | CancellationException e) {
          return errorResponse(e.getCause() != null ? e.getCause() : e);
        }
      }

      /** Queues every answer whose turn has come. */
      private void sendAnswers() {
        if (mode == Mode.CLOSING) return;
        while (!inFlight.isEmpty() && inFlight.peek().response != null) {
          PagestreamResponse r = inFlight.poll().response;
          if (r instanceof PagestreamResponse.Error e) log().warning("pagestream error timeline={} reason=\"{}\"", timeline, e.message());
          send(new CopyData(r.encode()));
        }
      }

      private void pullIfRoom() {
        boolean room = mode != Mode.CLOSING && inFlight.size() < MAX_IN_FLIGHT && queued.size() < MAX_QUEUED_OUT;
        if (room && !hasBeenPulled(in) && !isClosed(in)) pull(in);
      }

      // --- output ---

      private void send(BackendMessage m) {
        queue(new Outgoing(m, null));
      }

      private void sendAll(List<BackendMessage> messages) {
        for (BackendMessage m : messages) send(m);
      }

      /** For the basebackup's thread: completes when the stage has handed the message on, fails when the connection is gone. */
      private CompletionStage<Done> sendFromOutside(BackendMessage m) {
        CompletableFuture<Done> taken = new CompletableFuture<>();
        // a callback to a stopped stage is not run: its feedback fails instead
        scala.jdk.javaapi.FutureConverters.asJava(sentFromOutside.invokeWithFeedback(new Outgoing(m, taken))).whenComplete((ok, e) -> {
          if (e != null) taken.completeExceptionally(new IllegalStateException("connection closed", e));
        });
        return taken;
      }

      private void queue(Outgoing o) {
        queued.add(o);
        pushQueued();
      }

      private void pushQueued() {
        if (isAvailable(out) && !queued.isEmpty()) {
          Outgoing o = queued.poll();
          push(out, o.message());
          if (o.taken() != null) o.taken().complete(Done.getInstance());
        }
        if (mode == Mode.CLOSING && queued.isEmpty()) completeStage();
      }

      private void fatal(String message) {
        log().warning("page service connection closed reason=\"{}\"", message);
        send(ErrorResponse.fatal(SqlState.PROTOCOL_VIOLATION, message));
        finish();
      }

      /** Ends the connection after what is queued (answers still being read are dropped), within a grace period. */
      private void finish() {
        if (mode == Mode.CLOSING) return;
        mode = Mode.CLOSING;
        scheduleOnce("close-grace", CLOSE_GRACE);
        pushQueued();
      }
    };
  }

  private static PagestreamResponse errorResponse(Throwable err) {
    return new PagestreamResponse.Error(PsError.of(err).getMessage());
  }
}
