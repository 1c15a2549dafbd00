package actors.compute;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.ClientAuth;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket.StartupMessage;
import wire.pg.Terminate;

/**
 * The tar of a {@code basebackup} command read from the pageserver's PostgreSQL protocol: the
 * payloads of its CopyData messages, in order, read from the socket as the caller consumes them
 * (at most one socket read and one message are buffered). The stream ends at the server's
 * ReadyForQuery; an ErrorResponse at any point, before or after the tar, fails the read.
 */
final class BasebackupStream extends InputStream {
  private static final DecoderLimits LIMITS = DecoderLimits.DEFAULT.withMaxCopyData(64 << 20);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String server;
  private final String query;
  private final PgDecoder<BackendMessage> decoder = PgDecoder.forClient(LIMITS);
  private final Deque<BackendMessage> pending = new ArrayDeque<>();
  private final byte[] buffer = new byte[64 << 10];
  private byte[] chunk = new byte[0];
  private int offset;
  private boolean finished;

  private BasebackupStream(Socket socket, String server, String query) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.server = server;
    this.query = query;
  }

  /** Connects, logs in, sends {@code query} and waits for the start of the COPY. */
  static BasebackupStream open(String host, int port, String user, Optional<String> password, String query,
      Duration ioTimeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
      BasebackupStream s = new BasebackupStream(socket, "pageserver " + host + ":" + port, query);
      s.login(user, password.orElse(null));
      s.send(new Query(query));
      s.awaitCopyOut();
      return s;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private void login(String user, String password) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", user);
    params.put("application_name", "compute_ctl");
    send(StartupMessage.of(params));
    ClientAuth auth = new ClientAuth(user, password, new Random());
    while (true) {
      BackendMessage m = next("login as " + user);
      if (m instanceof Authentication a) {
        Optional<FrontendMessage> reply;
        try {
          reply = auth.onRequest(a);
        } catch (ProtocolException e) {
          throw new IOException(server + " refused login as " + user + ": " + e.getMessage(), e);
        }
        if (reply.isPresent()) send(reply.get());
      } else if (m instanceof ReadyForQuery) {
        return;
      }
    }
  }

  private void awaitCopyOut() throws IOException {
    while (true) {
      BackendMessage m = next("'" + query + "'");
      if (m instanceof CopyResponse.CopyOutResponse) return;
      if (m instanceof ReadyForQuery || m instanceof CommandComplete) {
        throw new IOException(server + " answered '" + query + "' without a COPY stream");
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (offset == chunk.length) {
      if (finished) return -1;
      BackendMessage m = next("the stream of '" + query + "'");
      if (m instanceof CopyData d) {
        chunk = d.data();
        offset = 0;
      } else if (m instanceof ReadyForQuery) {
        finished = true;
        send(new Terminate());
      } else if (!(m instanceof CopyDone) && !(m instanceof CommandComplete)) {
        throw new IOException(server + " sent " + m.getClass().getSimpleName() + " inside the stream of '" + query + "'");
      }
    }
    int n = Math.min(len, chunk.length - offset);
    System.arraycopy(chunk, offset, b, off, n);
    offset += n;
    return n;
  }

  /** The next message that matters; notices and parameters are skipped, an error fails. */
  private BackendMessage next(String during) throws IOException {
    while (true) {
      while (pending.isEmpty()) {
        int n = in.read(buffer);
        if (n < 0) throw new EOFException(server + " closed the connection during " + during);
        try {
          pending.addAll(decoder.feed(ByteBuffer.wrap(buffer, 0, n)));
        } catch (ProtocolException e) {
          throw new IOException(server + " broke the protocol during " + during + ": " + e.getMessage(), e);
        }
      }
      BackendMessage m = pending.poll();
      if (m instanceof ErrorResponse e) {
        throw new IOException(server + " failed " + during + ": " + e.fields().message());
      }
      if (m instanceof wire.pg.NoticeResponse || m instanceof wire.pg.ParameterStatus || m instanceof wire.pg.BackendKeyData) {
        continue;
      }
      return m;
    }
  }

  private void send(FrontendMessage m) throws IOException {
    out.write(m.encode());
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
