package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import testkit.SyntheticWal;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.sk.ProposerMessage.VoteRequest;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/** A SafekeeperLink against an in-process safekeeper: what it reports to its owner. */
class SafekeeperLinkTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "11111111111111111111111111111111";
  private static final String TIMELINE = "22222222222222222222222222222222";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void writtenWalIsReportedForTheFirstAppendAndThenOncePerReportInterval() {
    SyntheticWal wal = SyntheticWal.records(START, 40, 1000);
    List<Lsn> ends = wal.recordEnds();
    // ten appends of four records each; a report is due once 10 records' worth more went out
    long interval = ends.get(10).minus(ends.get(0));
    InProcessSafekeeper sk = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk"), 1);
    try {
      TestProbe<SafekeeperLink.Report> owner = testKit.kit().createTestProbe();
      SafekeeperLink.Settings s = new SafekeeperLink.Settings("127.0.0.1", sk.port(), TENANT, TIMELINE,
          Duration.ofMillis(200), Duration.ofSeconds(10), 64, interval);
      ActorRef<SafekeeperLink.Command> link = testKit.kit().spawn(SafekeeperLink.create(0, s, owner.ref()));
      long conn = owner.expectMessageClass(SafekeeperLink.Up.class, WAIT).connection();
      link.tell(new SafekeeperLink.Send(conn, new ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150000,
          SyntheticWal.SYSTEM_ID, (int) Lsn.DEFAULT_SEGMENT_SIZE)));
      awaitReceived(owner);   // the session takes no more until the timeline is resolved
      link.tell(new SafekeeperLink.Send(conn, new VoteRequest(0, 1)));
      awaitReceived(owner);
      link.tell(new SafekeeperLink.Send(conn, new ProposerElected(0, 1, START, TermHistory.EMPTY.plus(1, START))));
      List<Lsn> appendEnds = new ArrayList<>();
      Lsn at = START;
      for (int i = 3; i < ends.size(); i += 4) {
        Lsn end = ends.get(i);
        link.tell(new SafekeeperLink.Send(conn, new AppendRequest(0, 1, at, end, Lsn.INVALID, Lsn.INVALID, wal.slice(at, end))));
        appendEnds.add(end);
        at = end;
      }

      List<Lsn> written = new ArrayList<>();
      while (true) {
        SafekeeperLink.Report r = owner.receiveMessage(WAIT);
        if (r instanceof SafekeeperLink.Written w) written.add(w.endLsn());
        if (r instanceof SafekeeperLink.Received rec && rec.message() instanceof AppendResponse a && a.flushLsn().equals(at)) break;
      }
      List<Lsn> expected = new ArrayList<>();
      Lsn last = null;
      for (Lsn end : appendEnds) {
        if (last == null || end.minus(last) >= interval) {
          expected.add(end);
          last = end;
        }
      }
      assertTrue(expected.size() > 1 && expected.size() < appendEnds.size(), "the case covers skipped and due reports: " + expected);
      assertEquals(expected, written, "Written reports for appends ending at " + appendEnds);
    } finally {
      sk.close();
    }
  }

  private static void awaitReceived(TestProbe<SafekeeperLink.Report> owner) {
    while (!(owner.receiveMessage(WAIT) instanceof SafekeeperLink.Received)) {
      // other reports carry nothing this test needs here
    }
  }
}
