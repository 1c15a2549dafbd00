package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.net.PgSession;
import akka.Done;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.sk.AcceptorMessage;
import wire.sk.MembershipConfiguration;
import wire.xlog.Lsn;

/**
 * The acceptor's side of a proposer connection: answers leave in the order told, nothing leaves after
 * a refusal, and the reader's append window reopens with each AppendResponse. The timeout catches a
 * window that never reopens (the reader would wait for ever).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProposerRepliesTest {
  private final List<BackendMessage> sent = new ArrayList<>();
  private final List<TimelineAcceptor.Refusal> refusals = new ArrayList<>();
  private final PgSession.Outbox out = new PgSession.Outbox(m -> {
    sent.add(m);
    return CompletableFuture.completedFuture(Done.getInstance());
  }, () -> {});
  private final ProposerReplies replies = new ProposerReplies(out, refusals::add);

  private static TimelineAcceptor.Answer appended(long flush) {
    return new TimelineAcceptor.Answer(new AcceptorMessage.AppendResponse(0, 1, Lsn.of(flush), Lsn.of(flush),
        AcceptorMessage.HotStandbyFeedback.NONE, null));
  }

  @Test
  void answersLeaveInOrderAndNothingAfterARefusal() {
    replies.tell(new TimelineAcceptor.Answer(new AcceptorMessage.AcceptorGreeting(7, MembershipConfiguration.NONE, 1)));
    replies.tell(appended(100));
    replies.tell(new TimelineAcceptor.Refusal(SkError.OUT_OF_ORDER_APPEND.failure("gap")));
    replies.tell(appended(200));
    assertEquals(2, sent.size());
    assertTrue(java.util.Arrays.equals(new AcceptorMessage.AcceptorGreeting(7, MembershipConfiguration.NONE, 1).encode(),
        ((CopyData) sent.get(0)).data()));
    assertTrue(java.util.Arrays.equals(((AcceptorMessage) appended(100).message()).encode(), ((CopyData) sent.get(1)).data()));
    assertEquals(1, refusals.size());
    assertEquals("gap", refusals.get(0).failure().message());
  }

  @Test
  void theAppendWindowReopensWithEachAppendResponse() throws Exception {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < ProposerReplies.MAX_UNANSWERED_APPENDS; i++) replies.beforeAppend(() -> false);
      replies.tell(appended(round));
    }
    for (int i = 0; i < ProposerReplies.MAX_UNANSWERED_APPENDS; i++) replies.beforeAppend(() -> false);
    replies.tell(new TimelineAcceptor.Refusal(SkError.OUT_OF_ORDER_APPEND.failure("gap")));
    replies.beforeAppend(() -> false);   // after a refusal the reader does not wait for answers
  }

  @Test
  void aFullWindowEndsWhenTheConnectionCloses() {
    for (int i = 0; i < ProposerReplies.MAX_UNANSWERED_APPENDS; i++) {
      try {
        replies.beforeAppend(() -> false);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> replies.beforeAppend(() -> true));
  }
}
