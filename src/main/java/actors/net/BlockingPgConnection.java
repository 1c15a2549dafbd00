package actors.net;

import akka.Done;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.DecoderLimits;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;

/**
 * One PostgreSQL-protocol connection on a plain socket, for a handler that owns a thread: read the
 * next frontend message (blocking), send backend messages into a buffer, flush when a batch is done.
 * Sends are serialized, so another thread (a basebackup writer) may send through {@link #outbox}.
 */
public final class BlockingPgConnection implements AutoCloseable, SocketOutbox.FrameSink {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final MessageReader<FrontendMessage> reader;

  BlockingPgConnection(Socket socket, DecoderLimits limits) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    this.reader = new MessageReader<>(in, PgDecoder.forServer(limits));
  }

  public String remoteAddress() {
    return String.valueOf(socket.getRemoteSocketAddress());
  }

  /** The next message, waiting for it; null when the client closed the connection between messages. */
  public FrontendMessage next() throws IOException, ProtocolException {
    return reader.next();
  }

  /** Whether {@link #next} would answer without waiting for the client (a message is decoded or bytes are in). */
  public boolean ready() throws IOException {
    return reader.ready();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Buffers a message; it leaves at the next {@link #flush}. */
  public synchronized void send(BackendMessage m) throws IOException {
    out.write(m.encode());
  }

  /** Buffers a CopyData message whose data is {@code tag} then {@code body}, without building the message first (no copy of the body). */
  public synchronized void sendCopyData(int tag, byte[] body) throws IOException {
    out.write(CopyData.header(1 + body.length));
    out.write(tag);
    out.write(body);
  }

  /** Writes a CopyData message of {@code len} bytes of {@code data} from {@code off} and flushes it (no copy of the data). */
  public synchronized void sendCopyData(byte[] data, int off, int len) throws IOException {
    out.write(CopyData.header(len));
    out.write(data, off, len);
    out.flush();
  }

  /** Buffers a frame already encoded; it leaves at the next {@link #flush}. */
  @Override
  public synchronized void write(byte[] frame) throws IOException {
    out.write(frame);
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  /** Sends what is buffered, then tells the client no more will come; reading goes on until the client closes. */
  @Override
  public synchronized void shutdownOutput() throws IOException {
    out.flush();
    if (!socket.isOutputShutdown()) socket.shutdownOutput();
  }

  /** For code written against {@link PgSession.Outbox}: each send is written and flushed before it completes. */
  public PgSession.Outbox outbox() {
    return new PgSession.Outbox(m -> {
      try {
        synchronized (this) {
          send(m);
          flush();
        }
        return CompletableFuture.<Done>completedFuture(Done.getInstance());
      } catch (IOException e) {
        return CompletableFuture.<Done>failedFuture(new IllegalStateException("connection closed: " + e.getMessage(), e));
      }
    }, this::close);
  }

  /**
   * Whatever is buffered is sent first, when the socket still takes it. Input the client sent that
   * nobody read is dropped before closing: closing over unread input resets the connection, which
   * can lose a last ErrorResponse still on its way.
   */
  @Override
  public void close() {
    try {
      flush();
      socket.shutdownOutput();
      while (in.available() > 0 && in.skip(in.available()) > 0) {
        // dropping what the client sent after we stopped reading
      }
    } catch (IOException ignored) {
      // the client is gone; nothing left to tell it
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a broken socket
    }
  }

  @Override
  public void cut() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a broken socket
    }
  }

  /** The handler's work on one connection, run on the connection's own thread. */
  public interface Handler {
    void run(BlockingPgConnection connection) throws Exception;
  }
}
