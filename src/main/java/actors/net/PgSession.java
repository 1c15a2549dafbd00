package actors.net;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.pg.BackendMessage;
import wire.pg.FrontendMessage;
import wire.pg.ProtocolException;

/**
 * One actor per PostgreSQL-protocol connection, over a {@link BlockingPgListener}: the
 * connection's thread reads and decodes frames and tells them to the actor, which acknowledges
 * each; the thread stops reading while {@link #WINDOW} are unacknowledged (TCP backpressure).
 * Outgoing messages go through an {@link Outbox} that writes small replies to the socket at once.
 */
public final class PgSession {
  private PgSession() {}

  private static final Logger log = LoggerFactory.getLogger(PgSession.class);

  /** Messages the actor may hold unacknowledged before the connection stops reading. */
  static final int WINDOW = 16;
  /** Frames a session's replies may queue behind a slow client before the connection is closed. */
  static final int OUTBOX_CAPACITY = 256;
  /** How long a closed outbox waits for the client to leave before the socket is closed anyway. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** What a session actor acknowledges each incoming message with, exactly once per message. */
  public static final class Ack {
    private final Semaphore window = new Semaphore(WINDOW);

    /** The message is handled (or queued): the connection may read one more. */
    public void release() {
      window.release();
    }

    /** Waits for room in the window; gives up once the connection is closed (a session that stopped acknowledges nothing). */
    void acquire(BlockingPgConnection conn) throws InterruptedException, IOException {
      while (!window.tryAcquire(1, TimeUnit.SECONDS)) {
        if (conn.isClosed()) throw new IOException("connection closed");
      }
    }
  }

  /** How the connection's events become the session actor's own messages. */
  public record Protocol<T>(
      BiFunction<Ack, FrontendMessage, T> received,
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

  private static final AtomicLong SESSIONS = new AtomicLong();

  /** A listener handler that gives each connection a new actor made by {@code behavior}, fed from the connection's thread. */
  public static <T> BlockingPgConnection.Handler handler(ActorSystem<?> system, String name, Protocol<T> protocol,
      Function<Outbox, Behavior<T>> behavior) {
    return conn -> {
      String id = name + "-" + SESSIONS.incrementAndGet();
      SocketOutbox outbox = new SocketOutbox(conn, id, OUTBOX_CAPACITY, CLOSE_GRACE);
      ActorRef<T> session = system.systemActorOf(behavior.apply(outbox.asOutbox()), id, Props.empty());
      Ack ack = new Ack();
      try {
        while (true) {
          FrontendMessage m = conn.next();
          if (m == null) {
            session.tell(protocol.closed());
            return;
          }
          ack.acquire(conn);
          session.tell(protocol.received().apply(ack, m));
        }
      } catch (ProtocolException e) {
        log.warn("pg connection failed: remote={} error={}", conn.remoteAddress(), e.getMessage());
        session.tell(protocol.failed().apply(e));
        outbox.send(e.toErrorResponse().encode());   // behind what the session sent already
      } catch (Exception e) {
        session.tell(protocol.failed().apply(e));
        throw e;
      } finally {
        outbox.abort();   // flushes what was written; stops the writer thread if there is one
      }
    };
  }
}
