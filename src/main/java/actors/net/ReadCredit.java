package actors.net;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Backpressure between a socket's reader thread and the actor it feeds: the thread takes a credit
 * before handing on each message and the actor gives it back, exactly once per message, when it
 * has taken the message. With no credit left the thread stops reading, and TCP slows the peer.
 */
public final class ReadCredit {
  private final Semaphore credits;

  public ReadCredit(int window) {
    this.credits = new Semaphore(window);
  }

  /** The message is taken: the reader may hand on one more. */
  public void release() {
    credits.release();
  }

  /** Waits for a credit; gives up once {@code closed} says so (an actor that stopped gives back nothing). */
  public void acquire(BooleanSupplier closed) throws InterruptedException, IOException {
    if (credits.tryAcquire()) return;
    ReaderRunsExecutor.runDeferred();   // the owner that returns credits may be owed a run by this thread
    while (!credits.tryAcquire(1, TimeUnit.SECONDS)) {
      if (closed.getAsBoolean()) throw new IOException("connection closed");
    }
  }
}
