package actors.pageserver;

import actors.net.ClientSocket;
import actors.net.ReadCredit;
import actors.net.SocketOutbox;
import actors.proposer.PgClientSession;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.DecoderLimits;
import wire.pg.PgDecoder;
import wire.pg.ProtocolError;
import wire.pg.ProtocolException;
import wire.pg.ReplicationMessage;
import wire.pg.ReplicationMessage.XLogData;
import wire.xlog.Lsn;

/**
 * One {@link WalReceiver} connection to a safekeeper on a plain socket (Akka Streams Tcp cost about
 * 100 µs of CPU per message). A thread of its own connects, runs the startup and the plain commands,
 * then {@code START_REPLICATION}, and reads the stream. XLogData is read from the socket straight
 * into the array the timeline ingests; every other message goes through the ordinary decoder. Each
 * replication message waits for a {@link ReadCredit} before it is handed on, so a slow ingest stops
 * the reading and TCP slows the safekeeper. Status updates leave through a {@link SocketOutbox},
 * written by the sending thread.
 */
final class SafekeeperStream {
  /** Status updates are small and superseded by the next one; a few waiting are plenty. */
  private static final int OUTBOX_CAPACITY = 16;
  private static final int READ_BUFFER = 64 * 1024;
  private static final DecoderLimits LIMITS = DecoderLimits.DEFAULT.withMaxCopyData(1 << 20);

  /** What the reader thread hands on, in order, on its own thread. */
  interface Listener {
    /** The safekeeper switched to streaming; {@code results} are the plain commands' results. */
    void onStreaming(List<PgClientSession.Result> results);

    /** A replication message read on {@code from}; a credit was taken for it: {@code from.release()} once it is taken. */
    void onMessage(SafekeeperStream from, ReplicationMessage m);

    /** Exactly once, last: empty when the safekeeper closed the connection between messages. */
    void onEnd(Optional<Throwable> failure);
  }

  private final ClientSocket socket = new ClientSocket(8192);
  private final SocketOutbox outbox;
  private final ReadCredit credit;

  private SafekeeperStream(String name, int window) {
    this.outbox = new SocketOutbox(socket, name, OUTBOX_CAPACITY, Duration.ofSeconds(1));
    this.credit = new ReadCredit(window);
  }

  /**
   * Starts connecting now on a new thread named {@code name}. At most {@code window} replication
   * messages are handed on before their credits come back ({@link #release}).
   */
  static SafekeeperStream open(String name, String host, int port, PgClientSession session, Duration connectTimeout, int window,
      Listener listener) {
    SafekeeperStream s = new SafekeeperStream(name, window);
    Thread reader = new Thread(() -> s.read(host, port, session, connectTimeout, listener), name);
    reader.setDaemon(true);
    reader.start();
    return s;
  }

  /** Gives back the credit of one message handed on. */
  void release() {
    credit.release();
  }

  /** Sends a replication message (a status update) as CopyData; dropped when the connection is gone. */
  void send(ReplicationMessage m) {
    outbox.send(m.toCopyData().encode());
  }

  /** Cuts the connection: the reader thread fails and reports its end. */
  void close() {
    outbox.abort();
  }

  private void read(String host, int port, PgClientSession session, Duration connectTimeout, Listener listener) {
    try {
      InputStream raw = socket.connect(host, port, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      DataInputStream in = new DataInputStream(new BufferedInputStream(raw, READ_BUFFER));
      outbox.send(session.startup().encode());
      PgDecoder<BackendMessage> decoder = PgDecoder.forClient(LIMITS);
      List<PgClientSession.Result> results = new ArrayList<>();
      while (true) {
        int type = in.read();
        if (type < 0) {
          listener.onEnd(Optional.empty());
          return;
        }
        int length = in.readInt();   // counts itself
        if (type == CopyData.TYPE && session.isStreaming()) {
          if (length < 5 || length - 4 > LIMITS.maxCopyData()) throw badFrame("CopyData of " + length + " bytes");
          ReplicationMessage m = readReplication(in, length - 4);
          credit.acquire(socket::isClosed);
          listener.onMessage(this, m);
          continue;
        }
        if (length < 4 || length > LIMITS.maxFrame()) throw badFrame("message '" + (char) type + "' of " + length + " bytes");
        byte[] frame = new byte[1 + length];
        ByteBuffer.wrap(frame).put((byte) type).putInt(length);
        in.readFully(frame, 5, length - 4);
        for (BackendMessage m : decoder.feed(frame)) {
          for (PgClientSession.Event e : session.onMessage(m)) {
            if (e instanceof PgClientSession.Send send) outbox.send(send.message().encode());
            else if (e instanceof PgClientSession.Result r) results.add(r);
            else if (e instanceof PgClientSession.Streaming) listener.onStreaming(List.copyOf(results));
          }
        }
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      listener.onEnd(Optional.of(e));
    } finally {
      outbox.abort();
    }
  }

  /** A CopyData payload of {@code size} bytes: XLogData with its WAL read into an array of its own, or any other message. */
  private static ReplicationMessage readReplication(DataInputStream in, int size) throws IOException, ProtocolException {
    int tag = in.readUnsignedByte();
    if (tag == XLogData.TAG && size >= XLogData.HEADER_SIZE) {
      Lsn start = Lsn.of(in.readLong());
      Lsn end = Lsn.of(in.readLong());
      long sendTime = in.readLong();
      byte[] wal = new byte[size - XLogData.HEADER_SIZE];
      in.readFully(wal);
      return new XLogData(start, end, sendTime, wal);
    }
    byte[] payload = new byte[size];
    payload[0] = (byte) tag;
    in.readFully(payload, 1, size - 1);
    return ReplicationMessage.decode(payload);
  }

  private static ProtocolException badFrame(String what) {
    return new ProtocolException(new ProtocolError.Malformed("replication stream", what));
  }
}
