package actors.compute;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * payloads of its CopyData messages, in order, read from the socket as the caller consumes them.
 * Messages are read a frame at a time; a CopyData payload goes from the socket straight into the
 * caller's buffer (no message is built for it), every other message through the decoder. The
 * stream ends at the server's ReadyForQuery; an ErrorResponse at any point, before or after the
 * tar, fails the read.
 */
final class BasebackupStream extends InputStream {
  private static final DecoderLimits LIMITS = DecoderLimits.DEFAULT.withMaxCopyData(64 << 20);

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String server;
  private final String query;
  private final PgDecoder<BackendMessage> decoder = PgDecoder.forClient(LIMITS);
  private final Deque<BackendMessage> pending = new ArrayDeque<>();
  /** CopyData payload bytes still to come from the socket. */
  private int copyLeft;
  private boolean inCopy;
  private boolean finished;

  private BasebackupStream(Socket socket, String server, String query) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 << 10));
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
      if (m instanceof CopyResponse.CopyOutResponse) {
        inCopy = true;
        return;
      }
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
    while (copyLeft == 0) {
      if (finished) return -1;
      BackendMessage m = next("the stream of '" + query + "'");
      if (m instanceof ReadyForQuery) {
        finished = true;
        send(new Terminate());
      } else if (m != null && !(m instanceof CopyDone) && !(m instanceof CommandComplete)) {
        throw new IOException(server + " sent " + m.getClass().getSimpleName() + " inside the stream of '" + query + "'");
      }
    }
    int n = in.read(b, off, Math.min(len, copyLeft));
    if (n < 0) throw new EOFException(server + " closed the connection inside a CopyData message of '" + query + "'");
    copyLeft -= n;
    return n;
  }

  /**
   * The next message that matters; notices and parameters are skipped, an error fails. Inside the
   * COPY a CopyData frame is not read here: its payload length goes to {@code copyLeft} and null is
   * returned.
   */
  private BackendMessage next(String during) throws IOException {
    while (true) {
      while (pending.isEmpty()) {
        int type = in.read();
        if (type < 0) throw new EOFException(server + " closed the connection during " + during);
        int length;
        try {
          length = in.readInt();   // counts itself, not the type byte
        } catch (EOFException e) {
          throw new EOFException(server + " closed the connection during " + during);
        }
        if (length < 4 || length - 4 > (type == CopyData.TYPE ? LIMITS.maxCopyData() : LIMITS.maxFrame())) {
          throw new IOException(server + " broke the protocol during " + during + ": message '" + (char) type + "' of length " + length);
        }
        if (inCopy && type == CopyData.TYPE) {
          copyLeft = length - 4;
          return null;
        }
        byte[] frame = new byte[1 + length];
        frame[0] = (byte) type;
        frame[1] = (byte) (length >>> 24);
        frame[2] = (byte) (length >>> 16);
        frame[3] = (byte) (length >>> 8);
        frame[4] = (byte) length;
        in.readFully(frame, 5, length - 4);
        try {
          pending.addAll(decoder.feed(frame));
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
