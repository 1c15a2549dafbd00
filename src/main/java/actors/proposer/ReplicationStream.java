package actors.proposer;

import actors.proposer.PgClientSession.Copy;
import actors.proposer.PgClientSession.Result;
import actors.proposer.PgClientSession.Streaming;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.BoundedSourceQueue;
import akka.stream.javadsl.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.pg.FrontendMessage;
import wire.pg.ProtocolException;
import wire.pg.ReplicationMessage;

/**
 * A physical replication stream as a source of XLogData and keepalives: a connection that runs
 * one {@code START_REPLICATION} command, from PostgreSQL's walsender or a safekeeper, optionally
 * after plain commands such as {@code IDENTIFY_SYSTEM} whose results {@link #prelude()} gives. The
 * queue carries standby status updates back.
 */
public record ReplicationStream(BoundedSourceQueue<FrontendMessage> replies, Source<ReplicationMessage, NotUsed> messages,
    CompletionStage<List<Result>> prelude) {
  /** Status updates are small and superseded by the next one; a few queued are plenty. */
  private static final int REPLY_CAPACITY = 16;

  public static ReplicationStream open(ActorSystem<?> system, String host, int port, Map<String, String> startupParameters,
      String password, String command) {
    return open(system, host, port, startupParameters, password, List.of(), command);
  }

  /**
   * Runs {@code before} (plain commands), then {@code command}. The prelude completes with their
   * results once the server has switched to streaming, or fails when the connection ends first.
   */
  public static ReplicationStream open(ActorSystem<?> system, String host, int port, Map<String, String> startupParameters,
      String password, List<String> before, String command) {
    String server = host + ":" + port;
    List<String> queries = new ArrayList<>(before);
    queries.add(command);
    PgClientSession session = new PgClientSession(server, startupParameters, password, queries);
    PgClient.Conversation c = PgClient.open(system, host, port, session, REPLY_CAPACITY);
    CompletableFuture<List<Result>> prelude = new CompletableFuture<>();
    List<Result> results = new ArrayList<>();
    Source<ReplicationMessage, NotUsed> messages = c.events()
        .filter(e -> {
          if (e instanceof Result r) results.add(r);
          if (e instanceof Streaming) prelude.complete(List.copyOf(results));
          return e instanceof Copy;
        })
        .map(e -> decode(server, ((Copy) e).data()))
        .watchTermination((notUsed, done) -> {
          done.whenComplete((ok, err) -> prelude.completeExceptionally(err != null ? err
              : new IllegalStateException(server + " closed the connection before streaming")));
          return notUsed;
        });
    return new ReplicationStream(c.outbound(), messages, prelude);
  }

  private static ReplicationMessage decode(String server, byte[] payload) {
    try {
      return ReplicationMessage.decode(payload);
    } catch (ProtocolException e) {
      throw new IllegalStateException("bad replication message from " + server + ": " + e.getMessage(), e);
    }
  }

  /** Ends the connection from this side: without it a cancelled reader would leave the socket's write half open. */
  public void close() {
    try {
      replies.complete();
    } catch (IllegalStateException alreadyEnded) {
      // the stream ended the queue already
    }
  }

  /** Queues a standby status update; when the queue is full the update is skipped, the next one supersedes it. */
  public void reply(ReplicationMessage m) {
    replies.offer(m.toCopyData());
  }
}
