package actors.net;

import akka.Done;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The way out of a blocking socket ({@link BlockingPgConnection}, {@link BlockingPgClient}) for an actor. A small frame with nothing queued
 * before it is written and flushed by the sender itself: a reply leaves with no thread hand-off (a
 * small write to a socket whose client reads does not block). A large frame, or anything behind
 * one, goes to a writer thread of the connection's own, so an actor never waits on a client that
 * reads slowly; a send completes once its frame is in the socket. At most {@code capacity} frames
 * wait: past that the peer is not reading and the connection is closed.
 */
public final class SocketOutbox {
  /** Frames up to this size are written by the sender when nothing waits before them. */
  static final int DIRECT_MAX = 16 * 1024;

  /** Where frames go: a socket's buffered output. */
  public interface FrameSink {
    /** Buffers a frame. */
    void write(byte[] frame) throws IOException;

    void flush() throws IOException;

    /** Flushes, then ends the output half of the socket. */
    void shutdownOutput() throws IOException;

    /** Closes the socket now, without flushing or waiting for a writer (which then fails). */
    void cut();
  }

  private record Pending(byte[] frame, CompletableFuture<Done> sent) {}

  private final FrameSink conn;
  private final String name;
  private final int capacity;
  private final Duration closeGrace;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Thread writer;
  private boolean closing;
  private IOException broken;

  /** {@code closeGrace}: how long after {@link #close} the socket is closed even if the peer has not left. */
  public SocketOutbox(FrameSink conn, String name, int capacity, Duration closeGrace) {
    this.conn = conn;
    this.name = name;
    this.capacity = capacity;
    this.closeGrace = closeGrace;
  }

  /** As a {@link PgSession.Outbox} for session actors. */
  PgSession.Outbox asOutbox() {
    return new PgSession.Outbox(m -> send(m.encode()), this::close);
  }

  /** Completes once the frame is in the socket: at once when it was written here, later when the writer thread wrote it. */
  public synchronized CompletionStage<Done> send(byte[] frame) {
    if (broken != null) return gone(broken.getMessage());
    if (closing) return gone("closing");
    if (pending.isEmpty() && frame.length <= DIRECT_MAX) {
      try {
        conn.write(frame);
        conn.flush();
        return CompletableFuture.completedFuture(Done.getInstance());
      } catch (IOException e) {
        breakWith(e);
        return gone(e.getMessage());
      }
    }
    if (pending.size() >= capacity) {
      breakWith(new IOException(capacity + " frames wait for a peer that does not read"));
      hardClose();
      return gone(broken.getMessage());
    }
    Pending p = new Pending(frame, new CompletableFuture<>());
    pending.add(p);
    startWriter();
    notifyAll();
    return p.sent();
  }

  /** Sends what is queued, then shuts the output; the socket is closed for good after the grace period. */
  public synchronized void close() {
    if (closing) return;
    closing = true;
    if (pending.isEmpty()) shutdownOutput();
    else notifyAll();   // the writer shuts the output after the last frame
    Thread closer = new Thread(() -> {
      try {
        Thread.sleep(closeGrace.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      hardClose();
    }, name + "-close");
    closer.setDaemon(true);
    closer.start();
  }

  /** Cuts the connection now; frames still queued are dropped and their sends fail. */
  public void abort() {
    breakWith(new IOException("connection cut"));
    hardClose();
  }

  /** Sends nothing more (queued frames are dropped, the writer thread ends) and leaves the socket to its owner. */
  public void stop() {
    breakWith(new IOException("connection ended"));
  }

  private void startWriter() {
    if (writer != null) return;
    writer = new Thread(this::writeLoop, name + "-writer");
    writer.setDaemon(true);
    writer.start();
  }

  private void writeLoop() {
    while (true) {
      Pending head;
      synchronized (this) {
        while (pending.isEmpty() && broken == null && !closing) waitQuietly();
        if (broken != null) {
          failAll(broken);
          return;
        }
        if (pending.isEmpty()) {   // closing, nothing left
          shutdownOutput();
          return;
        }
        head = pending.peek();   // stays queued while written, so senders queue behind it
      }
      try {
        conn.write(head.frame());
        conn.flush();
      } catch (IOException e) {
        breakWith(e);
        continue;
      }
      synchronized (this) {
        pending.poll();
      }
      head.sent().complete(Done.getInstance());
    }
  }

  private synchronized void breakWith(IOException e) {
    if (broken == null) broken = e;
    notifyAll();
  }

  private void waitQuietly() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broken = new IOException("writer interrupted");
    }
  }

  private void failAll(IOException cause) {
    for (Pending p : pending) p.sent().completeExceptionally(new IllegalStateException("connection closed: " + cause.getMessage(), cause));
    pending.clear();
  }

  private void shutdownOutput() {
    try {
      conn.shutdownOutput();
    } catch (IOException ignored) {
      // the client is gone already
    }
  }

  private void hardClose() {
    conn.cut();
  }

  private static CompletionStage<Done> gone(String why) {
    return CompletableFuture.failedFuture(new IllegalStateException("connection closed: " + why));
  }
}
