package actors.net;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import wire.pg.BackendMessage;
import wire.pg.FrontendMessage;

/**
 * One actor per PostgreSQL-protocol connection, over a {@link BlockingPgListener}: the
 * connection's thread reads and decodes frames and tells them to the actor, which gives back
 * each one's {@link ReadCredit}; the thread stops reading while {@link #WINDOW} are held (TCP backpressure).
 * Outgoing messages go through an {@link Outbox} that writes small replies to the socket at once.
 */
public final class PgSession {
  private PgSession() {}

  /** Messages the actor may hold unacknowledged before the connection stops reading. */
  static final int WINDOW = 16;
  /** Frames a session's replies may queue behind a slow client before the connection is closed. */
  static final int OUTBOX_CAPACITY = 256;
  /** How long a closed outbox waits for the client to leave before the socket is closed anyway. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** How the connection's events become the session actor's own messages. */
  public record Protocol<T>(
      BiFunction<ReadCredit, FrontendMessage, T> received,
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

    /** Completes when the message is queued for the socket; fails when the connection is gone. */
    public CompletionStage<Done> send(BackendMessage message) {
      return send.apply(message);
    }

    /** Ends the connection after what was sent. */
    public void close() {
      close.run();
    }
  }

  /**
   * A way past the session actor for the messages of an established stream: the connection's
   * thread offers each message to the bypass the session installed, and tells the session only
   * what the bypass does not take. Saves a thread hand-off per message on a hot path.
   */
  public interface Bypass {
    /**
     * Takes {@code m} (true) or leaves it to the session (false). Runs on the connection's thread and
     * may wait; {@code closed} says when the connection is gone and waiting is over.
     */
    boolean offer(FrontendMessage m, BooleanSupplier closed) throws InterruptedException, IOException;
  }

  /** Where a session installs its {@link Bypass}; read by the connection's thread before each message. */
  public static final class Route {
    private volatile Bypass bypass;

    /** Messages read from now on are offered to {@code b} first. */
    public void install(Bypass b) {
      bypass = b;
    }

    /** Every message goes to the session again. */
    public void remove() {
      bypass = null;
    }

    Bypass current() {
      return bypass;
    }
  }

  private static final AtomicLong SESSIONS = new AtomicLong();

  /** A listener handler that gives each connection a new actor made by {@code behavior}, fed from the connection's thread. */
  public static <T> BlockingPgConnection.Handler handler(ActorSystem<?> system, String name, Protocol<T> protocol,
      Function<Outbox, Behavior<T>> behavior) {
    return handler(system, name, protocol, (out, route) -> behavior.apply(out));
  }

  /** The same, for a session that may install a {@link Bypass} through the {@link Route} it is given. */
  public static <T> BlockingPgConnection.Handler handler(ActorSystem<?> system, String name, Protocol<T> protocol,
      BiFunction<Outbox, Route, Behavior<T>> behavior) {
    return conn -> {
      String id = name + "-" + SESSIONS.incrementAndGet();
      SocketOutbox outbox = new SocketOutbox(conn, id, OUTBOX_CAPACITY, CLOSE_GRACE);
      Route route = new Route();
      ReaderRunsExecutor.beginReading();   // a bypass's actor runs on this thread
      ActorRef<T> session = system.systemActorOf(behavior.apply(outbox.asOutbox(), route), id, Props.empty());
      ReadCredit ack = new ReadCredit(WINDOW);
      try {
        while (true) {
          FrontendMessage m = conn.next();
          if (m == null) {
            session.tell(protocol.closed());
            return;
          }
          Bypass bypass = route.current();
          if (bypass != null && bypass.offer(m, conn::isClosed)) continue;
          ack.acquire(conn::isClosed);
          session.tell(protocol.received().apply(ack, m));
        }
      } catch (Exception e) {
        session.tell(protocol.failed().apply(e));
        throw e;   // the listener answers a protocol error with a FATAL ErrorResponse, then closes the socket
      } finally {
        ReaderRunsExecutor.endReading();
        outbox.stop();   // ends the writer thread if there is one
      }
    };
  }
}
