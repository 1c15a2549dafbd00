package actors.pageserver;

import actors.net.BlockingPgConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.WireFormatException;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.EncryptionResponse;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ParameterStatus;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.SqlState;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

/**
 * One connection to the page service on its own thread ({@link actors.net.BlockingPgListener}):
 * startup, then simple queries. {@code pagestream_v2 T TL} turns it into a stream of page requests,
 * answered in request order while up to {@link #MAX_IN_FLIGHT} run at once; {@code basebackup T TL
 * [LSN]} streams a tar. A page in a layer is read and written back on this thread with no hand-off;
 * a read that must wait (an LSN not reached yet, WAL redo) runs as before and this thread waits for
 * the oldest answer once nothing more can be sent. The Timeline actor still owns every change.
 */
final class PageServiceConnection {
  static final int MAX_IN_FLIGHT = 32;
  private static final Logger log = LoggerFactory.getLogger(PageServiceConnection.class);

  private final PageserverRegistry registry;
  private final Basebackups basebackups;
  private final BlockingPgConnection conn;
  private TimelineHandle timeline;

  private PageServiceConnection(PageserverRegistry registry, Basebackups basebackups, BlockingPgConnection conn) {
    this.registry = registry;
    this.basebackups = basebackups;
    this.conn = conn;
  }

  /** The listener's handler: serves one connection until the client leaves or breaks the protocol. */
  static BlockingPgConnection.Handler handler(PageserverRegistry registry, Basebackups basebackups) {
    return conn -> new PageServiceConnection(registry, basebackups, conn).serve();
  }

  /** What the server says after a startup packet: no password, the usual parameters, ready. */
  static List<BackendMessage> startupReply() {
    return List.of(new Authentication.Ok(),
        new ParameterStatus("server_version", "15.0 (strata pageserver)"),
        new ParameterStatus("server_encoding", "UTF8"),
        new ParameterStatus("client_encoding", "UTF8"),
        new ParameterStatus("DateStyle", "ISO, MDY"),
        new ParameterStatus("integer_datetimes", "on"),
        new ParameterStatus("standard_conforming_strings", "on"),
        ReadyForQuery.IDLE);
  }

  private void serve() throws IOException, ProtocolException, InterruptedException {
    if (!startup()) return;
    while (true) {
      FrontendMessage msg = conn.next();
      if (msg == null || msg instanceof Terminate) return;
      if (!(msg instanceof Query q)) {
        fatal("unexpected " + msg.getClass().getSimpleName() + " outside a command");
        return;
      }
      if (!query(q.sql().trim())) return;
    }
  }

  /** Encryption refused, then the startup packet; false when the client left or sent something else. */
  private boolean startup() throws IOException, ProtocolException {
    while (true) {
      FrontendMessage msg = conn.next();
      if (msg instanceof StartupPacket.SslRequest || msg instanceof StartupPacket.GssEncRequest) {
        conn.send(EncryptionResponse.REFUSED);
        conn.flush();
        continue;
      }
      if (!(msg instanceof StartupPacket.StartupMessage)) return false;
      sendAll(startupReply());
      return true;
    }
  }

  /** Runs one simple query; false when the connection is to close. */
  private boolean query(String sql) throws IOException, ProtocolException, InterruptedException {
    String[] words = sql.replaceAll(";\\s*$", "").split("\\s+");
    String verb = words[0].toLowerCase(java.util.Locale.ROOT);
    try {
      if (verb.equals("pagestream_v2")) {
        if (words.length != 3) throw PsError.BAD_REQUEST.failure("usage: pagestream_v2 <tenant_id> <timeline_id>");
        timeline = registry.timeline(words[1], words[2]);
        sendAll(List.of(new CopyResponse.CopyBothResponse(0, List.of())));
        pagestream();
        return false;
      }
      if (verb.equals("basebackup")) {
        Basebackups.Request req = Basebackups.Request.parse(words);
        timeline = registry.timeline(req.tenantId(), req.timelineId());
        basebackup(req);
        return true;
      }
      if (verb.equals("set")) {
        sendAll(List.of(new CommandComplete("SET"), ReadyForQuery.IDLE));
        return true;
      }
      throw PsError.BAD_REQUEST.failure("unsupported command '" + words[0] + "': the page service takes pagestream_v2, basebackup and set");
    } catch (PsError.Failure f) {
      sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
      return true;
    }
  }

  private void basebackup(Basebackups.Request req) throws IOException {
    Throwable error = null;
    try {
      basebackups.stream(timeline, req, conn).toCompletableFuture().join();
    } catch (CompletionException | CancellationException e) {
      error = e.getCause() != null ? e.getCause() : e;
    }
    if (error != null) {
      PsError.Failure f = PsError.of(error);
      log.warn("basebackup failed timeline={} reason=\"{}\"", timeline, f.getMessage());
      // The client may have half a tar: the error tells it not to use it.
      sendAll(List.of(ErrorResponse.error(f.kind().sqlState(), f.getMessage()), ReadyForQuery.IDLE));
    } else {
      sendAll(List.of(new CommandComplete("COPY"), ReadyForQuery.IDLE));
    }
  }

  /**
   * Reads requests while the client has more ready and fewer than the limit are in flight, writes
   * every answer whose turn has come, and waits for the oldest only when nothing else can be done.
   */
  private void pagestream() throws IOException, ProtocolException {
    ArrayDeque<CompletableFuture<PagestreamResponse>> inFlight = new ArrayDeque<>();
    while (true) {
      while (inFlight.size() < MAX_IN_FLIGHT && (inFlight.isEmpty() || conn.ready())) {
        FrontendMessage msg = conn.next();
        if (msg == null || msg instanceof CopyDone || msg instanceof Terminate) return;   // answers still being read are dropped
        if (!(msg instanceof CopyData data)) {
          fatal("unexpected " + msg.getClass().getSimpleName() + " in pagestream");
          return;
        }
        inFlight.add(answer(data.data()));
      }
      boolean wrote = false;
      while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
        send(resultOf(inFlight.poll()));
        wrote = true;
      }
      if (!inFlight.isEmpty() && (inFlight.size() >= MAX_IN_FLIGHT || !conn.ready())) {
        conn.flush();   // what is answered goes out while the oldest is still being read
        send(resultOf(inFlight.poll()));
        wrote = true;
      }
      if (wrote && (inFlight.isEmpty() || !conn.ready())) conn.flush();
    }
  }

  private CompletableFuture<PagestreamResponse> answer(byte[] request) {
    PagestreamRequest req;
    try {
      req = PagestreamRequest.decode(ByteBuffer.wrap(request));
    } catch (WireFormatException | RuntimeException e) {
      // Answered in order with an error; the stream stays usable.
      return CompletableFuture.completedFuture(new PagestreamResponse.Error("malformed pagestream request: " + e.getMessage()));
    }
    return PageRequests.answer(timeline, req).toCompletableFuture();
  }

  /** Waits when the answer is not there yet (the LSN wait and redo have their own timeouts). */
  private static PagestreamResponse resultOf(CompletableFuture<PagestreamResponse> answer) {
    try {
      return answer.join();
    } catch (CompletionException | CancellationException e) {
      return new PagestreamResponse.Error(PsError.of(e.getCause() != null ? e.getCause() : e).getMessage());
    }
  }

  private void send(PagestreamResponse r) throws IOException {
    if (r instanceof PagestreamResponse.GetPage g) {
      conn.sendCopyData(PagestreamResponse.GetPage.TAG, g.page());   // the page is copied once, into the socket buffer
      return;
    }
    if (r instanceof PagestreamResponse.Error e) log.warn("pagestream error timeline={} reason=\"{}\"", timeline, e.message());
    conn.send(new CopyData(r.encode()));
  }

  private void sendAll(List<BackendMessage> messages) throws IOException {
    for (BackendMessage m : messages) conn.send(m);
    conn.flush();
  }

  private void fatal(String message) throws IOException {
    log.warn("page service connection closed reason=\"{}\"", message);
    sendAll(List.of(ErrorResponse.fatal(SqlState.PROTOCOL_VIOLATION, message)));
  }
}
