package testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

/**
 * A blocking PostgreSQL-protocol client over a plain socket, for tests that talk to Strata's
 * servers message by message (trust authentication only).
 */
public final class PgWireClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final PgDecoder<BackendMessage> decoder = PgDecoder.forClient(DecoderLimits.DEFAULT);
  private final Deque<BackendMessage> pending = new ArrayDeque<>();

  private PgWireClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects and completes startup; fails with the server's error if it refuses. */
  public static PgWireClient connect(int port, Map<String, String> params) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(30_000);
    PgWireClient c = new PgWireClient(s);
    c.send(StartupPacket.StartupMessage.of(params));
    for (BackendMessage m; !((m = c.receive()) instanceof ReadyForQuery); ) {
      if (m instanceof ErrorResponse e) throw new IOException("startup refused: " + e.fields());
      if (m instanceof Authentication a && !(a instanceof Authentication.Ok)) throw new IOException("unexpected auth request " + a);
    }
    return c;
  }

  public void send(FrontendMessage m) throws IOException {
    out.write(m.encode());
    out.flush();
  }

  public void sendCopy(byte[] payload) throws IOException {
    send(new CopyData(payload));
  }

  /** The next message from the server (blocking, 30 s socket timeout). */
  public BackendMessage receive() throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (pending.isEmpty()) {
      int n = in.read(buf);
      if (n < 0) throw new IOException("server closed the connection");
      try {
        pending.addAll(decoder.feed(java.util.Arrays.copyOf(buf, n)));
      } catch (ProtocolException e) {
        throw new IOException("bad server message: " + e.getMessage(), e);
      }
    }
    return pending.poll();
  }

  /** Runs a simple query and returns every message up to (without) ReadyForQuery. */
  public List<BackendMessage> query(String sql) throws IOException {
    send(new Query(sql));
    List<BackendMessage> out = new ArrayList<>();
    for (BackendMessage m; !((m = receive()) instanceof ReadyForQuery); ) out.add(m);
    return out;
  }

  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed()) send(new Terminate());
    } catch (IOException ignored) {
      // already gone
    }
    socket.close();
  }
}
