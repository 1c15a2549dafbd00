package actors.proposer;

import actors.net.BlockingPgClient;
import actors.proposer.PgClientSession.Event;
import actors.proposer.PgClientSession.Result;
import actors.proposer.PgClientSession.Send;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import wire.pg.BackendMessage;
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
    BlockingPgClient client = new BlockingPgClient(PgClient.LIMITS);
    try {
      client.connect(host, port, (int) Math.max(1, timeout.toMillis()));
      client.write(session.startup().encode());
      client.flush();
      List<Result> results = new ArrayList<>();
      while (true) {
        client.readTimeout(remainingMillis(deadline, server));
        BackendMessage m = client.next();
        if (m == null) throw new IOException(server + " closed the connection before the queries finished");
        for (Event e : session.onMessage(m)) {
          if (e instanceof Result r) results.add(r);
          if (e instanceof Send s) {
            client.write(s.message().encode());
            if (s.message() instanceof Terminate) {
              client.flush();
              return results;
            }
          }
        }
        client.flush();
      }
    } catch (ProtocolException e) {
      throw new IOException(server + " broke the protocol: " + e.getMessage(), e);
    } finally {
      client.cut();
    }
  }

  private static int remainingMillis(long deadline, String server) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) throw new SocketTimeoutException(server + " did not answer in time");
    return (int) left;
  }
}
