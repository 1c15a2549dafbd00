package actors.proposer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.typed.javadsl.ActorSink;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import wire.pg.ReplicationMessage;
import wire.xlog.Lsn;

/**
 * The proposer's physical replication stream from its PostgreSQL: {@code START_REPLICATION SLOT s
 * PHYSICAL X/Y} as {@code walproposer}. Each message waits for the proposer's acknowledgement, so
 * PostgreSQL sends no faster than the safekeepers take the WAL. A stream that ends is started
 * again from where the proposer's WAL ends, no sooner than the reconnect delay. Owned by the
 * {@link WalProposer} actor and used only from it.
 */
final class PostgresWal {
  sealed interface Input extends WalProposer.Command permits Started, Message, Ended {}
  record Started(long stream, ActorRef<StreamAck> ack) implements Input {}
  record Message(long stream, ReplicationMessage message, ActorRef<StreamAck> ack) implements Input {}
  record Ended(long stream, Optional<Throwable> failure) implements Input {}

  private final ActorContext<WalProposer.Command> ctx;
  private final PostgresUrl pg;
  private final String slot;
  private final Duration reconnect;
  private long stream;
  private ReplicationStream current;
  private UniqueKillSwitch killSwitch;
  private ActorRef<StreamAck> held;
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
    streaming = false;
    current = ReplicationStream.open(ctx.getSystem(), pg.host(), pg.port(), PostgresControl.replicationParameters(pg),
        pg.password(), "START_REPLICATION SLOT " + slot + " PHYSICAL " + at);
    killSwitch = current.messages()
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(ActorSink.<ReplicationMessage, WalProposer.Command, StreamAck>actorRefWithBackpressure(ctx.getSelf(),
            (ack, m) -> new Message(id, m, ack),
            ack -> new Started(id, ack),
            StreamAck.INSTANCE,
            new Ended(id, Optional.empty()),
            t -> new Ended(id, Optional.of(t))), Keep.left())
        .run(Materializer.matFromSystem(ctx.getSystem()));
    ctx.getLog().info("postgres stream started slot={} lsn={}", slot, at);
  }

  /** {@code deliver} takes a message and says whether PostgreSQL may send the next one now. */
  void onInput(Input m, Predicate<ReplicationMessage> deliver) {
    if (m instanceof Started s) {
      s.ack().tell(StreamAck.INSTANCE);
    } else if (m instanceof Message msg) {
      if (msg.stream() != stream || killSwitch == null) {
        msg.ack().tell(StreamAck.INSTANCE);
        return;
      }
      streaming = true;
      if (deliver.test(msg.message())) {
        msg.ack().tell(StreamAck.INSTANCE);
      } else {
        held = msg.ack();
      }
    } else if (m instanceof Ended e && e.stream() == stream && killSwitch != null) {
      killSwitch = null;
      held = null;
      current.close();
      endedAt = System.nanoTime();
      ctx.getLog().warn("postgres stream ended slot={} reason={}", slot,
          e.failure().map(WalProposer::describe).orElse("PostgreSQL closed the connection"));
    }
  }

  /** There is room again: let PostgreSQL send the next message. */
  void release() {
    if (held != null) {
      held.tell(StreamAck.INSTANCE);
      held = null;
    }
  }

  /** Sends a status update once the stream is in COPY mode (before that it would break authentication). */
  void reply(ReplicationMessage m) {
    if (killSwitch != null && streaming) current.reply(m);
  }

  /** Starts a new stream at {@code at} when the last one ended at least the reconnect delay ago. */
  void restartIfStopped(Lsn at) {
    if (killSwitch == null && System.nanoTime() - endedAt >= reconnect.toNanos()) start(at);
  }

  void stop() {
    if (killSwitch != null) killSwitch.shutdown();
    killSwitch = null;
    if (current != null) current.close();
  }
}
