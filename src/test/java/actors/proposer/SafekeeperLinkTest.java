package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import testkit.SyntheticWal;
import wire.sk.AcceptorMessage;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.sk.ProposerMessage.VoteRequest;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/** A SafekeeperLink against an in-process safekeeper: what its owner sends through the wire and hears back. */
class SafekeeperLinkTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "11111111111111111111111111111111";
  private static final String TIMELINE = "22222222222222222222222222222222";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theOwnerWritesThroughTheWireAndHearsRepliesAndWrittenWal() {
    SyntheticWal wal = SyntheticWal.records(START, 60, 1000);
    List<Lsn> ends = wal.recordEnds();
    Lsn large = ends.get(39);   // about 40 kB: past the outbox's direct-write size, so its writer thread writes it
    Lsn small = ends.get(40);
    InProcessSafekeeper sk = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk"), 1);
    try {
      TestProbe<SafekeeperLink.Report> owner = testKit.kit().createTestProbe();
      SafekeeperLink.Settings s = new SafekeeperLink.Settings("127.0.0.1", sk.port(), TENANT, TIMELINE,
          Duration.ofMillis(200), Duration.ofSeconds(10), 64);
      testKit.kit().spawn(SafekeeperLink.create(3, s, owner.ref()));
      SafekeeperLink.Up up = owner.expectMessageClass(SafekeeperLink.Up.class, WAIT);
      SafekeeperWire wire = up.wire();
      assertEquals(up.connection(), wire.connection());
      assertEquals(Lsn.INVALID, wire.written(), "no WAL written yet");

      wire.send(new ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150000, SyntheticWal.SYSTEM_ID,
          (int) Lsn.DEFAULT_SEGMENT_SIZE));
      assertTrue(received(owner, up) instanceof AcceptorGreeting);
      wire.send(new VoteRequest(0, 1));
      assertTrue(((VoteResponse) received(owner, up)).voteGiven());
      wire.send(new ProposerElected(0, 1, START, TermHistory.EMPTY.plus(1, START)));

      wire.send(new AppendRequest(0, 1, START, large, Lsn.INVALID, Lsn.INVALID, wal.slice(START, large)));
      wire.wakeWhenWritten();
      boolean reportDue = !wire.written().equals(large);   // else the writer thread was done before the call
      boolean reported = false;
      boolean flushed = false;
      while (!flushed || (reportDue && !reported)) {
        SafekeeperLink.Report r = owner.receiveMessage(WAIT);
        if (r instanceof SafekeeperLink.Written w) {
          assertEquals(new SafekeeperLink.Written(3, up.connection(), large), w);
          reported = true;
        }
        if (r instanceof SafekeeperLink.Received rec && rec.message() instanceof AppendResponse a) flushed = a.flushLsn().equals(large);
      }
      assertEquals(large, wire.written());

      wire.send(new AppendRequest(0, 1, large, small, Lsn.INVALID, Lsn.INVALID, wal.slice(large, small)));
      owner.awaitAssert(WAIT, () -> {
        assertEquals(small, wire.written(), "a small append is in the socket once sent");
        return null;
      });
      while (!(received(owner, up) instanceof AppendResponse a && a.flushLsn().equals(small))) {
        // earlier answers
      }
    } finally {
      sk.close();
    }
  }

  @Test
  void aWireWhoseSafekeeperIsGoneMakesTheLinkReportDown() {
    InProcessSafekeeper sk = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk"), 1);
    TestProbe<SafekeeperLink.Report> owner = testKit.kit().createTestProbe();
    SafekeeperLink.Settings s = new SafekeeperLink.Settings("127.0.0.1", sk.port(), TENANT, TIMELINE,
        Duration.ofSeconds(30), Duration.ofSeconds(10), 64);
    testKit.kit().spawn(SafekeeperLink.create(0, s, owner.ref()));
    SafekeeperLink.Up up = owner.expectMessageClass(SafekeeperLink.Up.class, WAIT);
    sk.close();
    while (true) {
      up.wire().send(new VoteRequest(0, 1));   // fails once the socket is closed, or the reader sees the end first
      SafekeeperLink.Report r = owner.receiveMessage(WAIT);
      if (r instanceof SafekeeperLink.Down d) {
        assertEquals(up.connection(), d.connection());
        return;
      }
    }
  }

  private static AcceptorMessage received(TestProbe<SafekeeperLink.Report> owner, SafekeeperLink.Up up) {
    while (true) {
      SafekeeperLink.Report r = owner.receiveMessage(WAIT);
      if (r instanceof SafekeeperLink.Received rec) {
        assertEquals(up.connection(), rec.connection());
        return rec.message();
      }
    }
  }
}
