package actors.proposer;

import actors.net.ReadCredit;
import actors.proposer.PgClientSession.Copy;
import actors.proposer.PgClientSession.Event;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import wire.pg.ProtocolException;
import wire.pg.ReplicationMessage;
import wire.xlog.Lsn;

/**
 * The proposer's physical replication stream from its PostgreSQL: {@code START_REPLICATION SLOT s
 * PHYSICAL X/Y} as {@code walproposer}, on a plain socket whose reader thread tells each message
 * to the proposer (a {@link BlockingConversation}: no stream hops between PostgreSQL's WAL and the
 * safekeepers). At most {@link #WINDOW} messages wait for the proposer's acknowledgement, so
 * PostgreSQL sends no faster than the safekeepers take the WAL. A stream that ends is started
 * again from where the proposer's WAL ends, no sooner than the reconnect delay. Owned by the
 * {@link WalProposer} actor and used only from it.
 */
final class PostgresWal {
  sealed interface Input extends WalProposer.Command permits Message, Ended {}
  record Message(long stream, ReplicationMessage message, ReadCredit ack) implements Input {}
  record Ended(long stream, Optional<Throwable> failure) implements Input {}

  /** Messages read ahead of the proposer's acknowledgement. */
  private static final int WINDOW = 8;
  /** Status updates are small and written at once; this bounds only those queued behind a stalled socket. */
  private static final int REPLY_CAPACITY = 16;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final ActorContext<WalProposer.Command> ctx;
  private final PostgresUrl pg;
  private final String slot;
  private final Duration reconnect;
  private long stream;
  private BlockingConversation current;
  private boolean open;
  /** Credits of messages taken while the buffer was full: given back once there is room. */
  private ReadCredit held;
  private int heldCount;
  private boolean streaming;
  private long endedAt;

  PostgresWal(ActorContext<WalProposer.Command> ctx, PostgresUrl pg, String slot, Duration reconnect) {
    this.ctx = ctx;
    this.pg = pg;
    this.slot = slot;
    this.reconnect = reconnect;
  }

  void start(Lsn at) {
    long id = ++stream;
    held = null;
    heldCount = 0;
    streaming = false;
    String server = pg.host() + ":" + pg.port();
    PgClientSession session = new PgClientSession(server, PostgresControl.replicationParameters(pg), pg.password(),
        List.of("START_REPLICATION SLOT " + slot + " PHYSICAL " + at));
    BlockingConversation c = BlockingConversation.unstarted("postgres-wal-" + id, REPLY_CAPACITY);
    ReadCredit credit = new ReadCredit(WINDOW);
    ActorRef<WalProposer.Command> self = ctx.getSelf();
    c.start("postgres-wal-" + id, pg.host(), pg.port(), session, CONNECT_TIMEOUT, new BlockingConversation.Listener() {
      @Override
      public void onEvent(Event e) throws Exception {
        if (!(e instanceof Copy copy)) return;
        ReplicationMessage m = decode(server, copy.data());
        credit.acquire(c::isClosed);
        self.tell(new Message(id, m, credit));
      }

      @Override
      public void onEnd(Optional<Throwable> failure) {
        self.tell(new Ended(id, failure));
      }
    });
    current = c;
    open = true;
    ctx.getLog().info("postgres stream started slot={} lsn={}", slot, at);
  }

  private static ReplicationMessage decode(String server, byte[] payload) {
    try {
      return ReplicationMessage.decode(payload);
    } catch (ProtocolException e) {
      throw new IllegalStateException("bad replication message from " + server + ": " + e.getMessage(), e);
    }
  }

  /** {@code deliver} takes a message and says whether PostgreSQL may send the next one now. */
  void onInput(Input m, Predicate<ReplicationMessage> deliver) {
    if (m instanceof Message msg) {
      if (msg.stream() != stream || !open) {
        msg.ack().release();
        return;
      }
      streaming = true;
      if (deliver.test(msg.message())) {
        msg.ack().release();
      } else {
        held = msg.ack();   // one credit object per stream
        heldCount++;
      }
    } else if (m instanceof Ended e && e.stream() == stream && open) {
      open = false;
      held = null;
      heldCount = 0;
      current.abort();
      endedAt = System.nanoTime();
      ctx.getLog().warn("postgres stream ended slot={} reason={}", slot,
          e.failure().map(WalProposer::describe).orElse("PostgreSQL closed the connection"));
    }
  }

  /** There is room again: let PostgreSQL send the next message. */
  void release() {
    for (; heldCount > 0; heldCount--) held.release();
    held = null;
  }

  /** Sends a status update once the stream is in COPY mode (before that it would break authentication). */
  void reply(ReplicationMessage m) {
    if (open && streaming) current.outbox().send(m.toCopyData().encode());   // fails only on a connection that is going
  }

  /** Starts a new stream at {@code at} when the last one ended at least the reconnect delay ago. */
  void restartIfStopped(Lsn at) {
    if (!open && System.nanoTime() - endedAt >= reconnect.toNanos()) start(at);
  }

  void stop() {
    open = false;
    if (current != null) current.abort();
  }
}
