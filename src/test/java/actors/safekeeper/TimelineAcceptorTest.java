package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.TimelineAcceptor.Answer;
import actors.safekeeper.TimelineAcceptor.Refusal;
import actors.safekeeper.TimelineAcceptor.Reply;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import store.wal.AcceptorState;
import store.wal.ControlFileStore;
import testkit.ActorTestKitExtension;
import testkit.SyntheticWal;
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

class TimelineAcceptorTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "11111111111111111111111111111111";
  private static final String TIMELINE = "22222222222222222222222222222222";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final int SEG = (int) Lsn.DEFAULT_SEGMENT_SIZE;

  @TempDir Path dir;
  private TestProbe<Reply> proposer;
  private TimelineAcceptor.ReplyTo toProposer;
  private static final java.util.concurrent.atomic.AtomicInteger SPAWNED = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void createTimeline() throws Exception {
    Files.createDirectories(dir);
    ControlFileStore.persist(dir, AcceptorState.implicit(TENANT, TIMELINE, 150018, SyntheticWal.SYSTEM_ID, SEG, 0));
    proposer = testKit.kit().createTestProbe();
    toProposer = TimelineAcceptor.replyTo(proposer.ref());
  }

  private ActorRef<TimelineAcceptor.Command> spawn() {
    return testKit.kit().spawn(TimelineAcceptor.create(7, dir, new SafekeeperMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())), "acceptor-" + SPAWNED.getAndIncrement());
  }

  private <T> T answer(Class<T> type) {
    Reply r = proposer.receiveMessage(Duration.ofSeconds(10));
    assertTrue(r instanceof Answer, "expected an answer, got " + r);
    return type.cast(((Answer) r).message());
  }

  private Refusal refusal() {
    Reply r = proposer.receiveMessage(Duration.ofSeconds(10));
    assertTrue(r instanceof Refusal, "expected a refusal, got " + r);
    return (Refusal) r;
  }

  private static AppendRequest append(long term, SyntheticWal wal, Lsn from, Lsn to, Lsn commit) {
    return new AppendRequest(0, term, from, to, commit, Lsn.INVALID, wal.slice(from, to));
  }

  private void elect(ActorRef<TimelineAcceptor.Command> acceptor, long term) {
    acceptor.tell(new TimelineAcceptor.Vote(new VoteRequest(0, term), toProposer));
    assertTrue(answer(VoteResponse.class).voteGiven());
    acceptor.tell(new TimelineAcceptor.Elect(new ProposerElected(0, term, START, TermHistory.EMPTY.plus(term, START)), toProposer));
  }

  @Test
  void voteIsNotGrantedTwiceForTheSameTermNorForALowerOne() {
    var acceptor = spawn();
    acceptor.tell(new TimelineAcceptor.Greet(new ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150018, 0, SEG), toProposer));
    assertEquals(0, answer(AcceptorGreeting.class).term());
    for (long[] ask : new long[][] {{3, 1}, {3, 0}, {2, 0}, {4, 1}}) {
      acceptor.tell(new TimelineAcceptor.Vote(new VoteRequest(0, ask[0]), toProposer));
      VoteResponse v = answer(VoteResponse.class);
      assertEquals(ask[1] == 1, v.voteGiven(), "vote for term " + ask[0]);
      assertEquals(Math.max(ask[0], v.term()), v.term());
    }
  }

  @Test
  void aGrantedVoteSurvivesARestart() {
    var acceptor = spawn();
    acceptor.tell(new TimelineAcceptor.Vote(new VoteRequest(0, 5), toProposer));
    assertTrue(answer(VoteResponse.class).voteGiven());
    testKit.kit().stop(acceptor);
    var again = spawn();
    again.tell(new TimelineAcceptor.Vote(new VoteRequest(0, 5), toProposer));
    VoteResponse v = answer(VoteResponse.class);
    assertFalse(v.voteGiven(), "term 5 was promised before the restart");
    assertEquals(5, v.term());
  }

  @Test
  void appendsAreAcknowledgedOnlyAtDurableRecordEndsAndCommitIsCappedByFlush() {
    SyntheticWal wal = SyntheticWal.records(START, 40, 3000);
    var acceptor = spawn();
    elect(acceptor, 1);
    Lsn mid = START.plus(50_000);
    acceptor.tell(new TimelineAcceptor.Append(append(1, wal, START, mid, wal.recordEnds().get(39)), toProposer));
    AppendResponse r = answer(AppendResponse.class);
    Lsn lastEnd = wal.recordEnds().stream().filter(e -> !e.isAfter(mid)).reduce((a, b) -> b).orElseThrow();
    assertEquals(lastEnd, r.flushLsn(), "flush_lsn is the last complete record");
    assertEquals(lastEnd, r.commitLsn(), "commit_lsn never passes flush_lsn");
    acceptor.tell(new TimelineAcceptor.Append(append(1, wal, mid, wal.end(), wal.recordEnds().get(10)), toProposer));
    AppendResponse r2 = answer(AppendResponse.class);
    assertEquals(wal.recordEnds().get(39), r2.flushLsn());
    assertEquals(wal.recordEnds().get(39), r2.commitLsn(), "a lower proposed commit_lsn never moves it back");

    testKit.kit().stop(acceptor);
    var again = spawn();
    TestProbe<TimelineStatus> status = testKit.kit().createTestProbe();
    again.tell(new TimelineAcceptor.GetStatus(status.ref()));
    TimelineStatus s = status.receiveMessage();
    assertEquals(wal.recordEnds().get(39), s.flushLsn(), "restart finds the end of WAL");
    assertEquals(1, s.term());
  }

  @Test
  void electionStartsTheBackupAndRemoteHorizonsAtTheTimelineStartAndBackedUpMovesItForward() {
    var acceptor = spawn();
    elect(acceptor, 1);
    TestProbe<TimelineStatus> status = testKit.kit().createTestProbe();
    acceptor.tell(new TimelineAcceptor.GetStatus(status.ref()));
    TimelineStatus s = status.receiveMessage();
    assertEquals(START, s.backupLsn(), "WAL backup starts at the timeline's start, not at 0/0");
    assertEquals(START, s.remoteConsistentLsn());
    acceptor.tell(new TimelineAcceptor.BackedUp(Lsn.of(2L * SEG)));
    acceptor.tell(new TimelineAcceptor.BackedUp(Lsn.of(SEG)));
    acceptor.tell(new TimelineAcceptor.GetStatus(status.ref()));
    assertEquals(Lsn.of(2L * SEG), status.receiveMessage().backupLsn(), "backup_lsn only moves forward");
  }

  @Test
  void outOfOrderStaleAndPrematureAppendsAreRefused() {
    SyntheticWal wal = SyntheticWal.records(START, 10, 1000);
    var acceptor = spawn();
    acceptor.tell(new TimelineAcceptor.Append(append(1, wal, START, wal.end(), Lsn.INVALID), toProposer));
    assertEquals(SkError.APPEND_BEFORE_ELECTION, refusal().failure().kind());

    elect(acceptor, 2);
    Lsn gapStart = START.plus(16);
    acceptor.tell(new TimelineAcceptor.Append(append(2, wal, gapStart, wal.end(), Lsn.INVALID), toProposer));
    Refusal gap = refusal();
    assertEquals(SkError.OUT_OF_ORDER_APPEND, gap.failure().kind());
    assertTrue(gap.failure().message().contains("gap"), gap.failure().message());

    acceptor.tell(new TimelineAcceptor.Append(append(1, wal, START, wal.end(), Lsn.INVALID), toProposer));
    AppendResponse stale = answer(AppendResponse.class);
    assertEquals(2, stale.term(), "a stale proposer learns the higher term");
    assertEquals(Lsn.INVALID, stale.flushLsn());
  }

  @Test
  void electionWithAWrongTruncationPointIsRefused() {
    var acceptor = spawn();
    acceptor.tell(new TimelineAcceptor.Vote(new VoteRequest(0, 1), toProposer));
    answer(VoteResponse.class);
    acceptor.tell(new TimelineAcceptor.Elect(new ProposerElected(0, 1, START.plus(8), TermHistory.EMPTY.plus(1, START)), toProposer));
    assertEquals(SkError.UNEXPECTED_TRUNCATION, refusal().failure().kind());
  }
}
