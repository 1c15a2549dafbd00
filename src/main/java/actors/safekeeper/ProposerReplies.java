package actors.safekeeper;

import actors.net.PgSession;
import actors.net.ReaderRunsExecutor;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import wire.pg.CopyData;
import wire.sk.AcceptorMessage;

/**
 * An acceptor's replies to one proposer connection, written to the connection's socket on the
 * acceptor's own thread: an AppendResponse leaves as soon as its fsync returns, with no hop through
 * the session actor. A refusal goes to the session, which sends the error and closes the
 * connection; nothing is written after it. It also bounds the appends the connection's reader hands
 * to the acceptor without an answer, as the session did when it forwarded them.
 */
final class ProposerReplies implements TimelineAcceptor.ReplyTo {
  /** Appends handed on without an answer before the connection stops reading more. */
  static final int MAX_UNANSWERED_APPENDS = 64;

  private final PgSession.Outbox out;
  private final Consumer<TimelineAcceptor.Refusal> onRefusal;
  private volatile boolean refused;
  private int unanswered;   // guarded by this

  ProposerReplies(PgSession.Outbox out, Consumer<TimelineAcceptor.Refusal> onRefusal) {
    this.out = out;
    this.onRefusal = onRefusal;
  }

  @Override
  public void tell(TimelineAcceptor.Reply reply) {
    if (refused) return;
    if (reply instanceof TimelineAcceptor.Refusal r) {
      refused = true;
      answered();   // the reader must not wait for answers that will not come
      onRefusal.accept(r);
      return;
    }
    AcceptorMessage m = ((TimelineAcceptor.Answer) reply).message();
    out.send(new CopyData(m.encode()));   // fails only when the connection is gone, which its reader reports
    if (m instanceof AcceptorMessage.AppendResponse) answered();
  }

  /** Called by the connection's reader before it hands on an append: waits while too many are unanswered. */
  void beforeAppend(BooleanSupplier closed) throws InterruptedException, IOException {
    synchronized (this) {
      if (unanswered < MAX_UNANSWERED_APPENDS || refused) {
        unanswered++;
        return;
      }
    }
    ReaderRunsExecutor.runDeferred();   // the acceptor may be waiting for this thread to run it
    waitForAnswers(closed);
  }

  private synchronized void waitForAnswers(BooleanSupplier closed) throws InterruptedException, IOException {
    while (unanswered >= MAX_UNANSWERED_APPENDS && !refused) {
      wait(1000);
      if (closed.getAsBoolean()) throw new IOException("connection closed");
    }
    unanswered++;
  }

  private synchronized void answered() {
    unanswered = 0;
    notifyAll();
  }
}
