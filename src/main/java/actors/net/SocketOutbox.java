package actors.net;

import akka.Done;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.pg.BackendMessage;

/**
 * The way out of a {@link BlockingPgConnection} for an actor. A small frame with nothing queued
 * before it is written and flushed by the sender itself: a reply leaves with no thread hand-off (a
 * small write to a socket whose client reads does not block). A large frame, or anything behind
 * one, goes to a writer thread of the connection's own, so an actor never waits on a client that
 * reads slowly; a send completes once its frame is in the socket. At most {@link #CAPACITY} frames
 * wait: past that the client is not reading and the connection is closed.
 */
final class SocketOutbox {
  /** Frames up to this size are written by the sender when nothing waits before them. */
  static final int DIRECT_MAX = 16 * 1024;
  static final int CAPACITY = 256;

  private record Pending(byte[] frame, CompletableFuture<Done> sent) {}

  private final BlockingPgConnection conn;
  private final String name;
  private final Duration closeGrace;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Thread writer;
  private boolean closing;
  private IOException broken;

  SocketOutbox(BlockingPgConnection conn, String name, Duration closeGrace) {
    this.conn = conn;
    this.name = name;
    this.closeGrace = closeGrace;
  }

  /** As a {@link PgSession.Outbox} for session actors. */
  PgSession.Outbox asOutbox() {
    return new PgSession.Outbox(this::send, this::close);
  }

  synchronized CompletionStage<Done> send(BackendMessage m) {
    if (broken != null) return gone(broken.getMessage());
    if (closing) return gone("closing");
    byte[] frame = m.encode();
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
    if (pending.size() >= CAPACITY) {
      breakWith(new IOException(CAPACITY + " frames wait for a client that does not read"));
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
  synchronized void close() {
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
    conn.close();
  }

  private static CompletionStage<Done> gone(String why) {
    return CompletableFuture.failedFuture(new IllegalStateException("connection closed: " + why));
  }
}
