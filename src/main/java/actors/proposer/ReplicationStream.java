package actors.proposer;

import actors.proposer.PgClientSession.Copy;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.BoundedSourceQueue;
import akka.stream.javadsl.Source;
import java.util.List;
import java.util.Map;
import wire.pg.FrontendMessage;
import wire.pg.ProtocolException;
import wire.pg.ReplicationMessage;

/**
 * A physical replication stream as a source of XLogData and keepalives: a connection that runs
 * one {@code START_REPLICATION} command, from PostgreSQL's walsender or a safekeeper. The queue
 * carries standby status updates back.
 */
public record ReplicationStream(BoundedSourceQueue<FrontendMessage> replies, Source<ReplicationMessage, NotUsed> messages) {
  /** Status updates are small and superseded by the next one; a few queued are plenty. */
  private static final int REPLY_CAPACITY = 16;

  public static ReplicationStream open(ActorSystem<?> system, String host, int port, Map<String, String> startupParameters,
      String password, String command) {
    String server = host + ":" + port;
    PgClientSession session = new PgClientSession(server, startupParameters, password, List.of(command));
    PgClient.Conversation c = PgClient.open(system, host, port, session, REPLY_CAPACITY);
    Source<ReplicationMessage, NotUsed> messages = c.events()
        .filter(e -> e instanceof Copy)
        .map(e -> decode(server, ((Copy) e).data()));
    return new ReplicationStream(c.outbound(), messages);
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
