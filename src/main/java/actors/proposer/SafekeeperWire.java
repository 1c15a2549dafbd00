package actors.proposer;

import actors.net.SocketOutbox;
import akka.actor.typed.ActorRef;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import wire.pg.CopyData;
import wire.sk.ProposerMessage;
import wire.xlog.Lsn;

/**
 * The sending end of one safekeeper connection, held by the link's owner: the {@link WalProposer}
 * writes its messages to the socket itself, so no actor hand-off lies between PostgreSQL's WAL and
 * the AppendRequests (a small frame with nothing queued before it leaves at once on the owner's
 * thread; a large one, or any behind it, goes through the outbox's writer thread). The
 * {@link SafekeeperLink} still owns the connection's life: it opens it, hands this wire over in
 * {@link SafekeeperLink.Up} and drops it. A failed send asks the link, once, to drop the connection.
 * Sends come from one thread at a time (the owner's); the writer thread only records what it wrote.
 */
final class SafekeeperWire {
  private final int sk;
  private final long connection;
  private final SocketOutbox outbox;
  private final ActorRef<SafekeeperLink.Command> link;
  private final ActorRef<SafekeeperLink.Report> owner;
  /** The end of the last AppendRequest with WAL that reached the socket (0: none yet). */
  private final AtomicLong written = new AtomicLong();
  /** Set by the owner when it waits for the writer thread; the next write it completes is reported. */
  private final AtomicBoolean waiting = new AtomicBoolean();
  private final AtomicBoolean broken = new AtomicBoolean();

  SafekeeperWire(int sk, long connection, SocketOutbox outbox, ActorRef<SafekeeperLink.Command> link,
      ActorRef<SafekeeperLink.Report> owner) {
    this.sk = sk;
    this.connection = connection;
    this.outbox = outbox;
    this.link = link;
    this.owner = owner;
  }

  long connection() {
    return connection;
  }

  /** Writes or queues {@code m}; on a connection that fails, the link drops it and the owner hears Down. */
  void send(ProposerMessage m) {
    Lsn end = m instanceof ProposerMessage.AppendRequest a && a.wal().length > 0 ? a.endLsn() : Lsn.INVALID;
    sendFrame(new CopyData(m.encode()).encode(), end);
  }

  /**
   * Writes or queues a whole CopyData frame (see {@link #appendFrame}); {@code walEnd} is the end of
   * the AppendRequest's WAL it carries, INVALID when it carries none.
   */
  void sendFrame(byte[] frame, Lsn walEnd) {
    if (broken.get()) return;
    long end = walEnd.value();
    CompletableFuture<?> sent = outbox.send(frame).toCompletableFuture();
    if (sent.isDone() && !sent.isCompletedExceptionally()) {
      if (end != 0) onWritten(end);   // written here, no hand-off
    } else if (sent.isDone()) {
      fail(sent);
    } else {
      sent.whenComplete((ok, err) -> {
        if (err != null) fail(sent);
        else if (end != 0) onWritten(end);
      });
    }
  }

  /** An AppendRequest as the CopyData frame it travels in, built in one array: one frame serves every safekeeper. */
  static byte[] appendFrame(ProposerMessage.AppendRequest a) {
    int length = a.encodedLength();
    ByteBuffer frame = ByteBuffer.allocate(CopyData.header(0).length + length);
    frame.put(CopyData.header(length));
    a.encodeTo(frame);
    return frame.array();
  }

  /** The end of the WAL of AppendRequests in the socket; INVALID before the first. */
  Lsn written() {
    return Lsn.of(written.get());
  }

  /**
   * The owner found its window full: the next AppendRequest the writer thread gets into the socket
   * is reported as {@link SafekeeperLink.Written}. The owner must look at {@link #written()} again
   * after this call (a write may have completed just before it).
   */
  void wakeWhenWritten() {
    waiting.set(true);
  }

  private void onWritten(long end) {
    written.accumulateAndGet(end, Math::max);   // a writer-thread report may come after a later direct write
    if (waiting.get() && waiting.getAndSet(false)) owner.tell(new SafekeeperLink.Written(sk, connection, written()));
  }

  private void fail(CompletableFuture<?> sent) {
    if (!broken.compareAndSet(false, true)) return;
    Throwable t = sent.handle((ok, err) -> err).join();
    Throwable root = t.getCause() != null ? t.getCause() : t;
    link.tell(new SafekeeperLink.Drop(connection, root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName()));
  }
}
