package testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket;
import wire.pg.Terminate;
import wire.xlog.Lsn;

/**
 * Stands in for the pageserver (written in parallel) on the two contracts a compute uses: HTTP
 * {@code GET /v1/tenant/{t}/timeline/{tl}} answers {@code last_record_lsn}, and the PostgreSQL
 * protocol answers {@code basebackup …} with a fixed PGDATA tar as CopyOut, in 64 KiB CopyData
 * chunks. Records every query. {@link #failAfterTar} makes it end the stream with an error instead.
 */
public final class TarPageserver implements AutoCloseable {
  private final Path tar;
  private final String tenant;
  private final String timeline;
  private final Lsn lastRecordLsn;
  private final ServerSocket pg;
  private final HttpServer http;
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private volatile String errorAfterTar;

  private TarPageserver(Path tar, String tenant, String timeline, Lsn lastRecordLsn) throws IOException {
    this.tar = tar;
    this.tenant = tenant;
    this.timeline = timeline;
    this.lastRecordLsn = lastRecordLsn;
    this.pg = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    http.createContext("/v1/tenant/", exchange -> {
      String expected = "/v1/tenant/" + tenant + "/timeline/" + timeline;
      boolean known = exchange.getRequestURI().getPath().equals(expected);
      byte[] body = (known ? "{\"tenant_id\":\"" + tenant + "\",\"timeline_id\":\"" + timeline + "\",\"last_record_lsn\":\""
          + lastRecordLsn + "\"}" : "{\"msg\":\"timeline not found\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(known ? 200 : 404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    Thread accept = new Thread(this::acceptLoop, "tar-pageserver-accept");
    accept.setDaemon(true);
    accept.start();
  }

  public static TarPageserver start(Path tar, String tenant, String timeline, Lsn lastRecordLsn) {
    try {
      return new TarPageserver(tar, tenant, timeline, lastRecordLsn);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code pageserver_connstring} of a spec. */
  public String connstring() {
    return "postgresql://no_user@127.0.0.1:" + pg.getLocalPort();
  }

  /** {@code pageserver_http_url} of a spec. */
  public String httpUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  public List<String> queries() {
    return List.copyOf(queries);
  }

  /** Later basebackups send the whole tar, then this ErrorResponse instead of CommandComplete. */
  public void failAfterTar(String message) {
    errorAfterTar = message;
  }

  private void acceptLoop() {
    while (!pg.isClosed()) {
      try {
        Socket s = pg.accept();
        Thread t = new Thread(() -> serve(s), "tar-pageserver-session");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;   // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      PgDecoder<FrontendMessage> decoder = PgDecoder.forServer(DecoderLimits.DEFAULT);
      byte[] buf = new byte[8192];
      while (true) {
        int n = in.read(buf);
        if (n < 0) return;
        for (FrontendMessage m : decoder.feed(java.nio.ByteBuffer.wrap(buf, 0, n))) {
          if (m instanceof StartupPacket.StartupMessage) {
            send(out, new Authentication.Ok(), ReadyForQuery.IDLE);
          } else if (m instanceof Query q) {
            queries.add(q.sql());
            answer(out, q.sql());
          } else if (m instanceof Terminate) {
            return;
          }
        }
      }
    } catch (Exception e) {
      // the client went away; nothing to clean up beyond the socket
    }
  }

  private void answer(OutputStream out, String sql) throws IOException {
    String[] words = sql.split(" ");
    if (words.length < 4 || !words[0].equals("basebackup") || !words[1].equals(tenant) || !words[2].equals(timeline)) {
      send(out, ErrorResponse.error("XX000", "unknown command or timeline: " + sql), ReadyForQuery.IDLE);
      return;
    }
    send(out, new CopyResponse.CopyOutResponse(0, List.of()));
    try (InputStream t = Files.newInputStream(tar)) {
      byte[] chunk = new byte[64 << 10];
      for (int n = t.readNBytes(chunk, 0, chunk.length); n > 0; n = t.readNBytes(chunk, 0, chunk.length)) {
        out.write(new CopyData(java.util.Arrays.copyOf(chunk, n)).encode());
      }
    }
    String error = errorAfterTar;
    if (error != null) {
      send(out, ErrorResponse.error("XX000", error), ReadyForQuery.IDLE);
    } else {
      send(out, new CopyDone(), new CommandComplete("COPY 0"), ReadyForQuery.IDLE);
    }
  }

  private static void send(OutputStream out, BackendMessage... messages) throws IOException {
    for (BackendMessage m : messages) out.write(m.encode());
    out.flush();
  }

  @Override
  public void close() {
    http.stop(0);
    try {
      pg.close();
    } catch (IOException ignored) {
      // closing a listening socket does not fail in a way a test cares about
    }
  }
}
