package actors.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.pg.DecoderLimits;
import wire.pg.ProtocolException;

/**
 * A PostgreSQL-protocol listener on plain sockets with a thread per connection: the lean transport
 * for a request/response hot path, where each Akka Streams hop costs a thread wake-up (see
 * {@code bench.TransportFloorBench}). The handler runs on the connection's thread; when the client
 * breaks the protocol it gets the error as a FATAL ErrorResponse and the connection closes.
 */
public final class BlockingPgListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BlockingPgListener.class);
  private static final AtomicLong CONNECTIONS = new AtomicLong();

  private final ServerSocket listener;
  private final String name;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private BlockingPgListener(ServerSocket listener, String name) {
    this.listener = listener;
    this.name = name;
  }

  /** Binds {@code host:port} now (0 picks a free port) and accepts on a thread of its own. */
  public static BlockingPgListener bind(String name, String host, int port, DecoderLimits limits, BlockingPgConnection.Handler handler)
      throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    try {
      s.bind(new InetSocketAddress(host, port), 128);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    BlockingPgListener l = new BlockingPgListener(s, name);
    Thread acceptor = new Thread(() -> l.accept(limits, handler), name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return l;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void accept(DecoderLimits limits, BlockingPgConnection.Handler handler) {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
        s.setTcpNoDelay(true);
        open.add(s);
      } catch (IOException e) {
        if (!listener.isClosed()) log.warn("{} accept failed error={}", name, e.getMessage());
        continue;
      }
      Thread t = new Thread(() -> serve(s, limits, handler), name + "-" + CONNECTIONS.incrementAndGet());
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s, DecoderLimits limits, BlockingPgConnection.Handler handler) {
    BlockingPgConnection c;
    try {
      c = new BlockingPgConnection(s, limits);
    } catch (IOException e) {
      closeQuietly(s);
      open.remove(s);
      return;
    }
    try {
      handler.run(c);
    } catch (ProtocolException e) {
      log.warn("pg connection failed: remote={} error={}", c.remoteAddress(), e.getMessage());
      try {
        c.send(e.toErrorResponse());   // close() below flushes it
      } catch (IOException gone) {
        // the client is gone
      }
    } catch (IOException e) {
      log.debug("pg connection closed: remote={} error={}", c.remoteAddress(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.error("pg connection handler failed: remote={}", c.remoteAddress(), e);
    } finally {
      c.close();
      open.remove(s);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  /** Cuts every open connection at once, like a crash (their handlers see the socket closed). */
  public void closeConnections() {
    for (Socket s : open) closeQuietly(s);
  }

  /** Stops accepting; connections already open run until their clients leave. */
  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
