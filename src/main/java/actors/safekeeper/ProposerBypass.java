package actors.safekeeper;

import actors.net.PgSession;
import akka.actor.typed.ActorRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import wire.WireFormatException;
import wire.pg.CopyData;
import wire.pg.FrontendMessage;
import wire.sk.ProposerMessage;

/**
 * The proposer messages of an established WAL push, handed by the connection's reader thread
 * straight to the timeline's acceptor (one thread hand-off instead of two). The acceptor still
 * applies every rule; replies go back through {@link ProposerReplies}. Whatever is not a vote,
 * election or append (CopyDone, a message that does not decode, a second greeting) is left to the
 * session, which answers it as before.
 */
final class ProposerBypass implements PgSession.Bypass {
  private final ActorRef<TimelineAcceptor.Command> acceptor;
  private final ProposerReplies replies;

  ProposerBypass(ActorRef<TimelineAcceptor.Command> acceptor, ProposerReplies replies) {
    this.acceptor = acceptor;
    this.replies = replies;
  }

  @Override
  public boolean offer(FrontendMessage m, BooleanSupplier closed) throws InterruptedException, IOException {
    if (!(m instanceof CopyData data)) return false;
    ProposerMessage pm;
    try {
      pm = ProposerMessage.decode(ByteBuffer.wrap(data.data()));
    } catch (WireFormatException e) {
      return false;   // the session decodes it again and closes the connection with the error
    }
    if (pm instanceof ProposerMessage.AppendRequest a) {
      replies.beforeAppend(closed);
      acceptor.tell(new TimelineAcceptor.Append(a, replies));
    } else if (pm instanceof ProposerMessage.VoteRequest v) {
      acceptor.tell(new TimelineAcceptor.Vote(v, replies));
    } else if (pm instanceof ProposerMessage.ProposerElected e) {
      acceptor.tell(new TimelineAcceptor.Elect(e, replies));
    } else {
      return false;
    }
    return true;
  }
}
