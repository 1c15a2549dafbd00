package actors.net;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.japi.Pair;
import akka.stream.Materializer;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.SourceQueueWithComplete;
import akka.stream.typed.javadsl.ActorSink;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import wire.pg.BackendMessage;
import wire.pg.FrontendMessage;

/**
 * One actor per PostgreSQL-protocol connection. Incoming messages reach the actor one at a time,
 * each acknowledged before the next is read (TCP backpressure); outgoing messages go through an
 * {@link Outbox} whose sends complete when the stream has room. Used with {@link PgTcp#bind}.
 */
public final class PgSession {
  private PgSession() {}

  /** What a session actor acknowledges each incoming message with. */
  public enum Ack { INSTANCE }

  /** How the connection's events become the session actor's own messages. */
  public record Protocol<T>(
      Function<ActorRef<Ack>, T> opened,
      BiFunction<ActorRef<Ack>, FrontendMessage, T> received,
      T closed,
      Function<Throwable, T> failed) {}

  /** The connection's way out. A session sends, then waits for the send before sending bulk data again. */
  public static final class Outbox {
    private final Function<BackendMessage, CompletionStage<Done>> send;
    private final Runnable close;

    /** {@code send} completes when the message is on its way to the socket; {@code close} ends the connection after what was sent. */
    public Outbox(Function<BackendMessage, CompletionStage<Done>> send, Runnable close) {
      this.send = send;
      this.close = close;
    }

    /** An outbox over a stream queue. */
    static Outbox of(SourceQueueWithComplete<BackendMessage> queue) {
      return new Outbox(message -> queue.offer(message).thenApply(result -> {
        if (!result.isEnqueued()) throw new IllegalStateException("connection closed: " + result);
        return Done.getInstance();
      }), queue::complete);
    }

    /** Completes when the message is queued for the socket; fails when the connection is gone. */
    public CompletionStage<Done> send(BackendMessage message) {
      return send.apply(message);
    }

    /** Ends the connection after what was sent. */
    public void close() {
      close.run();
    }
  }

  private static final AtomicLong SESSIONS = new AtomicLong();

  /** A fresh connection flow whose messages are handled by a new actor made by {@code behavior}. */
  public static <T> Flow<FrontendMessage, BackendMessage, NotUsed> flow(ActorSystem<?> system, String name,
      Protocol<T> protocol, Function<Outbox, Behavior<T>> behavior) {
    Materializer mat = Materializer.matFromSystem(system);
    Pair<SourceQueueWithComplete<BackendMessage>, Source<BackendMessage, NotUsed>> out =
        Source.<BackendMessage>queue(64, OverflowStrategy.backpressure(), 256).preMaterialize(mat);
    ActorRef<T> session = system.systemActorOf(behavior.apply(Outbox.of(out.first())),
        name + "-" + SESSIONS.incrementAndGet(), Props.empty());
    var in = ActorSink.<FrontendMessage, T, Ack>actorRefWithBackpressure(session, protocol.received()::apply,
        protocol.opened()::apply, Ack.INSTANCE, protocol.closed(), protocol.failed()::apply);
    return Flow.fromSinkAndSourceCoupled(in, out.second());
  }
}
