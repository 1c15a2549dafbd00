package actors.net;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import wire.pg.BackendMessage;
import wire.pg.DecoderLimits;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;

/**
 * The client side of one PostgreSQL-protocol connection on a plain socket: one thread reads
 * ({@link #next}, blocking); sends go through a {@link SocketOutbox} over it, which writes small
 * frames with no hand-off. For a hot request/response path where an Akka Streams hop costs a
 * thread wake-up.
 */
public final class BlockingPgClient implements SocketOutbox.FrameSink {
  private final Socket socket = new Socket();
  private final PgDecoder<BackendMessage> decoder;
  private MessageReader<BackendMessage> reader;
  private OutputStream out;

  public BlockingPgClient(DecoderLimits limits) {
    this.decoder = PgDecoder.forClient(limits);
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Connects (blocking, at most {@code timeoutMillis}) with Nagle off. */
  public void connect(String host, int port, int timeoutMillis) throws IOException {
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), timeoutMillis);
    synchronized (this) {
      reader = new MessageReader<>(socket.getInputStream(), decoder);
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }
  }

  /** From now on, a {@link #next} that waits longer than this fails with a SocketTimeoutException (0: no limit). */
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** The next message, waiting for it; null when the server closed the connection between messages. */
  public BackendMessage next() throws IOException, ProtocolException {
    return reader.next();
  }

  @Override
  public synchronized void write(byte[] frame) throws IOException {
    if (out == null) throw new IOException("not connected");
    out.write(frame);
  }

  @Override
  public synchronized void flush() throws IOException {
    if (out != null) out.flush();
  }

  @Override
  public synchronized void shutdownOutput() throws IOException {
    flush();
    if (socket.isConnected() && !socket.isOutputShutdown()) socket.shutdownOutput();
  }

  /** Cuts the connection; a thread blocked in {@link #next} fails at once. */
  @Override
  public void cut() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a broken socket
    }
  }
}
