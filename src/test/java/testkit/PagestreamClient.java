package testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wire.WireFormatException;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pagestream.PagestreamResponse;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.pg.NoticeResponse;
import wire.pg.ParameterStatus;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * A blocking client of the page service (pageserver.md §8.2) for tests: libpq startup, then
 * {@code pagestream_v2 <tenant> <timeline>} and one CopyData per request and per response, answers
 * in request order. Error responses (tag 103) and ErrorResponse messages become {@link ServerError}.
 * {@link #basebackup} runs on a connection of its own.
 *
 * <pre>
 * try (PagestreamClient ps = PagestreamClient.open(port, Startup.of("strata"), tenant, timeline)) {
 *   byte[] page = ps.getPage(rel, 0, lsn);
 * }
 * </pre>
 */
public final class PagestreamClient implements AutoCloseable {
  /** Requests in flight at most while pipelining: small enough that requests never fill a socket buffer. */
  public static final int WINDOW = 128;

  /** The server refused a request or the stream; the message is the server's. */
  public static final class ServerError extends IOException {
    public ServerError(String message) {
      super(message);
    }
  }

  /** The libpq startup parameters; {@code database} and {@code options} may be null. */
  public record Startup(String user, String database, String options) {
    public static Startup of(String user) {
      return new Startup(user, null, null);
    }

    Map<String, String> params() {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("user", user);
      if (database != null) p.put("database", database);
      if (options != null) p.put("options", options);
      return p;
    }
  }

  private final PgWireClient conn;
  private final Deque<PagestreamRequest> inFlight = new ArrayDeque<>();

  private PagestreamClient(PgWireClient conn) {
    this.conn = conn;
  }

  /** Connects to 127.0.0.1:{@code port} and enters pagestream v2 for the timeline. */
  public static PagestreamClient open(int port, Startup startup, String tenant, String timeline) throws IOException {
    PgWireClient conn = PgWireClient.connect(port, startup.params());
    try {
      conn.send(new Query("pagestream_v2 " + tenant + " " + timeline));
      BackendMessage m = nextSignificant(conn);
      if (m instanceof ErrorResponse e) {
        drainToReady(conn);
        throw new ServerError("pagestream_v2 refused: " + e.fields().message());
      }
      if (!(m instanceof CopyResponse.CopyBothResponse)) throw new IOException("pagestream_v2: expected CopyBothResponse, got " + m);
      return new PagestreamClient(conn);
    } catch (IOException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  public boolean exists(RelTag rel, Lsn lsn) throws IOException {
    return ((PagestreamResponse.Exists) call(new PagestreamRequest.Exists(lsn, lsn, rel))).exists();
  }

  public int nblocks(RelTag rel, Lsn lsn) throws IOException {
    return ((PagestreamResponse.Nblocks) call(new PagestreamRequest.Nblocks(lsn, lsn, rel))).nblocks();
  }

  public byte[] getPage(RelTag rel, int blkno, Lsn lsn) throws IOException {
    return ((PagestreamResponse.GetPage) call(new PagestreamRequest.GetPage(lsn, lsn, rel, blkno))).page();
  }

  /** Bytes of every relation of a database. */
  public long dbSize(int dbNode, Lsn lsn) throws IOException {
    return ((PagestreamResponse.DbSize) call(new PagestreamRequest.DbSize(lsn, lsn, dbNode))).bytes();
  }

  /** A whole SLRU segment: its pages concatenated. */
  public byte[] slruSegment(SlruKind kind, int segno, Lsn lsn) throws IOException {
    return ((PagestreamResponse.GetSlruSegment) call(new PagestreamRequest.GetSlruSegment(lsn, lsn, kind, segno))).pages();
  }

  /** One request and its response; an error response throws. */
  public PagestreamResponse call(PagestreamRequest request) throws IOException {
    return pipeline(List.of(request)).get(0);
  }

  /**
   * Sends the requests with at most {@link #WINDOW} unanswered and returns the responses in order.
   * Every response is read before the first error response, if any, is thrown (the stream stays usable).
   */
  public List<PagestreamResponse> pipeline(List<? extends PagestreamRequest> requests) throws IOException {
    List<PagestreamResponse> out = new ArrayList<>(requests.size());
    String firstError = null;
    int next = 0;
    while (out.size() < requests.size()) {
      while (next < requests.size() && inFlight.size() < WINDOW) send(requests.get(next++));
      PagestreamResponse r = receive();
      if (r instanceof PagestreamResponse.Error e && firstError == null) {
        firstError = "request " + out.size() + " (" + describe(requests.get(out.size())) + "): " + e.message();
      }
      out.add(r);
    }
    if (firstError != null) throw new ServerError(firstError);
    return out;
  }

  /** Sends arbitrary bytes as one CopyData and returns the server's answer to it (tests of malformed input). */
  public PagestreamResponse sendRaw(byte[] message) throws IOException {
    conn.sendCopy(message);
    BackendMessage m = nextSignificant(conn);
    if (m instanceof ErrorResponse e) throw new ServerError("raw message refused: " + e.fields().message());
    if (!(m instanceof CopyData d)) throw new IOException("expected CopyData, got " + m);
    try {
      return PagestreamResponse.decode(ByteBuffer.wrap(d.data()));
    } catch (WireFormatException e) {
      throw new IOException("bad response to a raw message: " + e.getMessage(), e);
    }
  }

  /** Sends one request without waiting; {@link #receive} returns the answers in order. */
  public void send(PagestreamRequest request) throws IOException {
    conn.sendCopy(request.encode());
    inFlight.add(request);
  }

  /** The answer to the oldest request sent and not yet answered; error responses are returned, not thrown. */
  public PagestreamResponse receive() throws IOException {
    PagestreamRequest request = inFlight.poll();
    if (request == null) throw new IllegalStateException("no request is waiting for an answer");
    BackendMessage m = nextSignificant(conn);
    if (m instanceof ErrorResponse e) throw new ServerError("pagestream failed at " + describe(request) + ": " + e.fields().message());
    if (!(m instanceof CopyData d)) throw new IOException("expected CopyData for " + describe(request) + ", got " + m);
    PagestreamResponse r;
    try {
      r = PagestreamResponse.decode(ByteBuffer.wrap(d.data()));
    } catch (WireFormatException e) {
      throw new IOException("bad response to " + describe(request) + ": " + e.getMessage(), e);
    }
    if (!(r instanceof PagestreamResponse.Error) && !answers(request, r)) {
      throw new IOException("response " + r + " does not answer " + describe(request));
    }
    return r;
  }

  /** The tar of {@code basebackup <tenant> <timeline> [<lsn>]} (latest when lsn is null). */
  public static byte[] basebackup(int port, Startup startup, String tenant, String timeline, Lsn lsn) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    basebackup(port, startup, tenant, timeline, lsn, out);
    return out.toByteArray();
  }

  /** Streams the basebackup tar into {@code out}. */
  public static void basebackup(int port, Startup startup, String tenant, String timeline, Lsn lsn, OutputStream out) throws IOException {
    basebackup(port, startup, tenant, timeline, lsn, "", out);
  }

  /** The same with {@code flags} (such as {@code --no-wal-padding}) after the LSN ({@code latest} when null). */
  public static void basebackup(int port, Startup startup, String tenant, String timeline, Lsn lsn, String flags, OutputStream out)
      throws IOException {
    try (PgWireClient conn = PgWireClient.connect(port, startup.params())) {
      String query = "basebackup " + tenant + " " + timeline + (lsn == null ? (flags.isEmpty() ? "" : " latest") : " " + lsn)
          + (flags.isEmpty() ? "" : " " + flags);
      conn.send(new Query(query));
      BackendMessage m = nextSignificant(conn);
      if (m instanceof ErrorResponse e) throw new ServerError(query + " refused: " + e.fields().message());
      if (!(m instanceof CopyResponse.CopyOutResponse)) throw new IOException(query + ": expected CopyOutResponse, got " + m);
      while (!((m = nextSignificant(conn)) instanceof CopyDone)) {
        if (m instanceof ErrorResponse e) throw new ServerError(query + " failed mid-stream: " + e.fields().message());
        if (!(m instanceof CopyData d)) throw new IOException(query + ": expected CopyData, got " + m);
        out.write(d.data());
      }
      while (!((m = nextSignificant(conn)) instanceof ReadyForQuery)) {
        if (m instanceof ErrorResponse e) throw new ServerError(query + " failed after the tar: " + e.fields().message());
        if (!(m instanceof CommandComplete)) throw new IOException(query + ": expected CommandComplete, got " + m);
      }
    }
  }

  @Override
  public void close() throws IOException {
    conn.close();
  }

  private static boolean answers(PagestreamRequest q, PagestreamResponse r) {
    return q instanceof PagestreamRequest.Exists ? r instanceof PagestreamResponse.Exists
        : q instanceof PagestreamRequest.Nblocks ? r instanceof PagestreamResponse.Nblocks
        : q instanceof PagestreamRequest.GetPage ? r instanceof PagestreamResponse.GetPage
        : q instanceof PagestreamRequest.DbSize ? r instanceof PagestreamResponse.DbSize
        : r instanceof PagestreamResponse.GetSlruSegment;
  }

  private static String describe(PagestreamRequest q) {
    String at = " at " + q.requestLsn();
    if (q instanceof PagestreamRequest.GetPage g) return "GetPage " + g.rel() + " blk " + Integer.toUnsignedString(g.blockNumber()) + at;
    if (q instanceof PagestreamRequest.Nblocks n) return "Nblocks " + n.rel() + at;
    if (q instanceof PagestreamRequest.Exists e) return "Exists " + e.rel() + at;
    if (q instanceof PagestreamRequest.DbSize d) return "DbSize db " + Integer.toUnsignedString(d.dbNode()) + at;
    PagestreamRequest.GetSlruSegment s = (PagestreamRequest.GetSlruSegment) q;
    return "GetSlruSegment " + s.kind() + " " + s.segno() + at;
  }

  /** The next message that is not a notice or a parameter status. */
  private static BackendMessage nextSignificant(PgWireClient conn) throws IOException {
    BackendMessage m;
    do {
      m = conn.receive();
    } while (m instanceof NoticeResponse || m instanceof ParameterStatus);
    return m;
  }

  private static void drainToReady(PgWireClient conn) {
    try {
      while (!(conn.receive() instanceof ReadyForQuery)) {
        // the rest of the refused query's answer
      }
    } catch (IOException ignored) {
      // the connection is closed next anyway
    }
  }
}
