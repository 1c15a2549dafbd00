package actors.proposer;

import actors.net.BlockingPgClient;
import actors.net.ReaderRunsExecutor;
import actors.net.SocketOutbox;
import actors.proposer.PgClientSession.Event;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import wire.pg.BackendMessage;

/**
 * A {@link PgClientSession} on a plain socket: a thread of the connection's own connects, runs the
 * startup conversation (its replies go out from that thread) and hands every other event on; the
 * owner sends through {@link #outbox()}, small frames written at once by the sending thread. The
 * hot replacement for {@link PgClient#open} where each stream hop costs a thread wake-up.
 */
final class BlockingConversation {
  /** How long after a polite close the socket is cut anyway; owners mostly {@link #abort}. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** What the reader thread hands on: events in order, then exactly one end (empty when the server closed cleanly). */
  interface Listener {
    /** Runs on the reader thread; may block it (backpressure). */
    void onEvent(Event e) throws Exception;

    void onEnd(Optional<Throwable> failure);
  }

  private final BlockingPgClient client = new BlockingPgClient(PgClient.LIMITS);
  private final SocketOutbox outbox;

  private BlockingConversation(String name, int outboundCapacity) {
    this.outbox = new SocketOutbox(client, name, outboundCapacity, CLOSE_GRACE);
  }

  /** Starts connecting now, on a new thread named {@code name}. */
  static BlockingConversation open(String name, String host, int port, PgClientSession session, int outboundCapacity,
      Duration connectTimeout, Listener listener) {
    BlockingConversation c = new BlockingConversation(name, outboundCapacity);
    c.start(name, host, port, session, connectTimeout, listener);
    return c;
  }

  /** Not connected yet: for an owner whose listener needs the conversation itself (its {@link #isClosed}). */
  static BlockingConversation unstarted(String name, int outboundCapacity) {
    return new BlockingConversation(name, outboundCapacity);
  }

  /** Connects on a new thread named {@code name}; once only. */
  void start(String name, String host, int port, PgClientSession session, Duration connectTimeout, Listener listener) {
    Thread reader = new Thread(() -> read(host, port, session, connectTimeout, listener), name);
    reader.setDaemon(true);
    reader.start();
  }

  SocketOutbox outbox() {
    return outbox;
  }

  boolean isClosed() {
    return client.isClosed();
  }

  /** Cuts the connection: the reader thread fails and reports its end. */
  void abort() {
    outbox.abort();
  }

  private void read(String host, int port, PgClientSession session, Duration connectTimeout, Listener listener) {
    ReaderRunsExecutor.beginReading();   // the WalProposer handles what this thread reads on it
    try {
      client.connect(host, port, (int) connectTimeout.toMillis());
      outbox.send(session.startup().encode());
      while (true) {
        BackendMessage m = client.next();
        if (m == null) {
          listener.onEnd(Optional.empty());
          return;
        }
        for (Event e : session.onMessage(m)) {
          if (e instanceof PgClientSession.Send send) outbox.send(send.message().encode());
          else listener.onEvent(e);
        }
      }
    } catch (Exception e) {
      listener.onEnd(Optional.of(e));
    } finally {
      ReaderRunsExecutor.endReading();
      outbox.abort();   // stops the outbox's writer thread, if it ever needed one
    }
  }
}
