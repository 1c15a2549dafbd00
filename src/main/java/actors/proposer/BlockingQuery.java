package actors.proposer;

import actors.proposer.PgClientSession.Event;
import actors.proposer.PgClientSession.Result;
import actors.proposer.PgClientSession.Send;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import wire.pg.BackendMessage;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;
import wire.pg.Terminate;

/**
 * Runs plain queries on one fresh connection, on the calling thread over a plain socket: the same
 * {@link PgClientSession} as {@link PgClient#query}, without a stream to materialize. For short
 * exchanges on a start path, where a fresh JVM's first Akka stream costs hundreds of milliseconds.
 */
public final class BlockingQuery {
  private BlockingQuery() {}

  /** The queries' results in order; {@code timeout} bounds the connect and the whole exchange. */
  public static List<Result> run(String host, int port, Map<String, String> startupParameters, String password,
      List<String> queries, Duration timeout) throws IOException {
    String server = host + ":" + port;
    PgClientSession session = new PgClientSession(server, startupParameters, password, queries);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      out.write(session.startup().encode());
      out.flush();
      PgDecoder<BackendMessage> decoder = PgDecoder.forClient(PgClient.LIMITS);
      List<Result> results = new ArrayList<>();
      byte[] chunk = new byte[8192];
      while (true) {
        socket.setSoTimeout(remainingMillis(deadline, server));
        int n = in.read(chunk);
        if (n < 0) throw new IOException(server + " closed the connection before the queries finished");
        for (BackendMessage m : decoder.feed(ByteBuffer.wrap(chunk, 0, n))) {
          for (Event e : session.onMessage(m)) {
            if (e instanceof Result r) results.add(r);
            if (e instanceof Send s) {
              out.write(s.message().encode());
              if (s.message() instanceof Terminate) {
                out.flush();
                return results;
              }
            }
          }
        }
        out.flush();
      }
    } catch (ProtocolException e) {
      throw new IOException(server + " broke the protocol: " + e.getMessage(), e);
    }
  }

  private static int remainingMillis(long deadline, String server) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) throw new SocketTimeoutException(server + " did not answer in time");
    return (int) left;
  }
}
