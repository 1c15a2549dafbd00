package store.redo;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import wire.redo.RedoProtocol;
import wire.redo.RedoRequest;

/**
 * The page server's end of the socket to one redo process. Requests are pipelined: encoded requests
 * are written while replies are read, on one thread, with a selector. Reading while writing is what
 * keeps both sides from blocking on full socket buffers when many requests are in flight.
 */
final class RedoConnection implements AutoCloseable {
  private static final int OUT_BATCH = 256 * 1024;
  private static final int IN_BUFFER = 1024 * 1024;

  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private ByteBuffer out = ByteBuffer.allocateDirect(OUT_BATCH).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER).order(ByteOrder.LITTLE_ENDIAN);

  private RedoConnection(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    this.selector = Selector.open();
    this.key = channel.register(selector, SelectionKey.OP_READ);
  }

  /** Binds {@code path} for one connection; {@link Listener#accept} waits for the process to call. */
  static Listener listen(Path path) throws IOException {
    Files.deleteIfExists(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path), 1);
    return new Listener(server, path);
  }

  static final class Listener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path path;

    private Listener(ServerSocketChannel server, Path path) {
      this.server = server;
      this.path = path;
    }

    /** The connection, or a TimeoutException; returns early (with EOFException) when the process exits. */
    RedoConnection accept(Process process, Duration timeout) throws IOException, TimeoutException {
      server.configureBlocking(false);
      try (Selector sel = Selector.open()) {
        server.register(sel, SelectionKey.OP_ACCEPT);
        process.onExit().thenRun(sel::wakeup);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
          SocketChannel ch = server.accept();
          if (ch != null) return new RedoConnection(ch);
          if (!process.isAlive()) throw new EOFException("the process exited before connecting");
          long left = deadline - System.nanoTime();
          if (left <= 0) throw new TimeoutException("the process did not connect within " + timeout);
          sel.select(Math.max(1, left / 1_000_000));
          sel.selectedKeys().clear();
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      Files.deleteIfExists(path);
    }
  }

  /** Reads the first reply, which must be the hello. */
  RedoProtocol.Hello hello(Duration timeout) throws IOException, TimeoutException {
    List<RedoProtocol.Reply> replies = new ArrayList<>(1);
    pump(List.of(), replies, 1, timeout);
    if (replies.get(0) instanceof RedoProtocol.Hello h) return h;
    throw new IOException("expected a hello, got " + replies.get(0));
  }

  /** Sends every request and returns one reply per request, in order. */
  List<RedoProtocol.Reply> exchange(List<RedoRequest> requests, Duration timeout) throws IOException, TimeoutException {
    List<RedoProtocol.Reply> replies = new ArrayList<>(requests.size());
    pump(requests, replies, requests.size(), timeout);
    return replies;
  }

  /**
   * Asks the service to stop; it exits once it has read this. Best effort: with nothing in flight
   * the five bytes always fit the socket buffer, and closing the socket stops the service anyway.
   */
  void sendExit() throws IOException {
    ByteBuffer bye = ByteBuffer.allocate(RedoProtocol.HEADER_SIZE);
    RedoProtocol.encodeExit(bye);
    channel.write(bye.flip());
  }

  /**
   * Writes the requests and reads until {@code expected} replies have arrived. The timeout counts
   * from the last byte moved in either direction, so a long pipeline is fine and a hung process is not.
   */
  private void pump(List<RedoRequest> requests, List<RedoProtocol.Reply> replies, int expected, Duration timeout)
      throws IOException, TimeoutException {
    int next = 0;
    out.clear().flip();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (replies.size() < expected) {
      if (!out.hasRemaining() && next < requests.size()) next = fillOutput(requests, next);
      key.interestOps(SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new TimeoutException("no progress for " + timeout + " with " + (expected - replies.size()) + " replies outstanding");
      selector.select(Math.max(1, left / 1_000_000));
      selector.selectedKeys().clear();

      boolean progress = false;
      if (out.hasRemaining()) progress = channel.write(out) > 0;
      int n = channel.read(in);
      if (n < 0) throw new EOFException("the redo process closed the connection with " + (expected - replies.size()) + " replies outstanding");
      if (n > 0) {
        progress = true;
        in.flip();
        for (int size = RedoProtocol.frameSize(in); size >= 0 && in.remaining() >= size; size = RedoProtocol.frameSize(in)) {
          replies.add(RedoProtocol.decodeReply(in));
        }
        in.compact();
      }
      if (progress) deadline = System.nanoTime() + timeout.toNanos();
    }
  }

  /** Encodes as many whole requests as fit one batch (at least one), ready to write. */
  private int fillOutput(List<RedoRequest> requests, int next) {
    out.clear();
    int first = RedoProtocol.encodedSize(requests.get(next));
    if (first > out.capacity()) out = ByteBuffer.allocateDirect(first).order(ByteOrder.LITTLE_ENDIAN);
    while (next < requests.size() && RedoProtocol.encodedSize(requests.get(next)) <= out.remaining()) {
      RedoProtocol.encode(requests.get(next++), out);
    }
    out.flip();
    return next;
  }

  @Override
  public void close() throws IOException {
    try {
      selector.close();
    } finally {
      channel.close();
    }
  }
}
