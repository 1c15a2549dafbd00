package actors.net;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The client end of a plain socket with Nagle off: one thread reads what {@link #connect} returns,
 * and frames go out through a {@link SocketOutbox} written over it. The sending side that the
 * blocking client connections share; each reads in its own way.
 */
public class ClientSocket implements SocketOutbox.FrameSink {
  private final Socket socket = new Socket();
  private final int outputBuffer;
  private OutputStream out;

  public ClientSocket(int outputBuffer) {
    this.outputBuffer = outputBuffer;
  }

  /** Connects (blocking, at most {@code timeoutMillis}); returns the stream the reading thread reads. */
  public InputStream connect(String host, int port, int timeoutMillis) throws IOException {
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), timeoutMillis);
    synchronized (this) {
      out = new BufferedOutputStream(socket.getOutputStream(), outputBuffer);
    }
    return socket.getInputStream();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** From now on, a read that waits longer than this fails with a SocketTimeoutException (0: no limit). */
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
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

  /** Cuts the connection; a thread blocked reading fails at once. */
  @Override
  public void cut() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a broken socket
    }
  }
}
