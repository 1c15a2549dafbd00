package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import actors.safekeeper.TimelineStatus;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import testkit.SyntheticWal;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.sk.ProposerMessage.VoteRequest;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/** sync-safekeepers against three in-process safekeepers holding different amounts of WAL. */
class WalProposerSyncTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "11111111111111111111111111111111";
  private static final AtomicInteger TIMELINES = new AtomicInteger();
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final String timeline = String.format("%032x", 0xabc000 + TIMELINES.incrementAndGet());
  private InProcessSafekeeper[] sks;

  private void startSafekeepers() {
    sks = new InProcessSafekeeper[3];
    for (int i = 0; i < 3; i++) sks[i] = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk" + i), i + 1);
  }

  @AfterEach
  void stopSafekeepers() {
    if (sks != null) for (InProcessSafekeeper sk : sks) sk.close();
  }

  private ProposerSettings settings() {
    List<ProposerSettings.Endpoint> endpoints = java.util.Arrays.stream(sks)
        .map(sk -> new ProposerSettings.Endpoint("127.0.0.1", sk.port())).toList();
    return ProposerSettings.of(endpoints, TENANT, timeline, Optional.empty());
  }

  /** compute_ctl's fast check against the same safekeepers: the LSN, or empty for "run the full sync". */
  private Optional<Lsn> fastCheck() {
    return actors.compute.SafekeeperFastCheck.run(java.util.concurrent.ForkJoinPool.commonPool(), settings().safekeepers(), TENANT, timeline)
        .toCompletableFuture().join();
  }

  private WalProposer.SyncOutcome sync() {
    TestProbe<WalProposer.SyncOutcome> outcome = testKit.kit().createTestProbe();
    ActorRef<WalProposer.Command> proposer = testKit.kit().spawn(WalProposer.sync(settings(), outcome.ref()));
    WalProposer.SyncOutcome result = outcome.receiveMessage(WAIT);
    outcome.expectTerminated(proposer, Duration.ofSeconds(5));
    return result;
  }

  /** Writes WAL [START, upTo) to one safekeeper as the leader of term 1 would, through a SafekeeperLink's wire. */
  private void seed(InProcessSafekeeper sk, SyntheticWal wal, Lsn upTo) {
    TestProbe<SafekeeperLink.Report> owner = testKit.kit().createTestProbe();
    SafekeeperLink.Settings s = new SafekeeperLink.Settings("127.0.0.1", sk.port(), TENANT, timeline,
        Duration.ofMillis(200), Duration.ofSeconds(10), 64);
    ActorRef<SafekeeperLink.Command> link = testKit.kit().spawn(SafekeeperLink.create(0, s, owner.ref()));
    SafekeeperWire wire = owner.expectMessageClass(SafekeeperLink.Up.class, WAIT).wire();
    wire.send(new ProposerGreeting(TENANT, timeline, MembershipConfiguration.NONE, 150000,
        SyntheticWal.SYSTEM_ID, (int) Lsn.DEFAULT_SEGMENT_SIZE));
    assertTrue(received(owner) instanceof AcceptorGreeting);
    wire.send(new VoteRequest(0, 1));
    assertTrue(((VoteResponse) received(owner)).voteGiven());
    wire.send(new ProposerElected(0, 1, START, TermHistory.EMPTY.plus(1, START)));
    for (Lsn at = START; at.isBefore(upTo); ) {
      Lsn end = Lsn.min(upTo, at.plus(ProposerMessage.MAX_WAL_BYTES));
      wire.send(new AppendRequest(0, 1, at, end, Lsn.INVALID, Lsn.INVALID, wal.slice(at, end)));
      at = end;
    }
    // flush_lsn is a MAXALIGNed record end, so the end of the bytes counts up to the next 8-byte boundary
    Lsn lastRecord = wal.recordEnds().stream().filter(e -> !e.isAfter(upTo.maxAlign())).reduce((a, b) -> b).orElseThrow();
    while (true) {
      SafekeeperLink.Report r = owner.receiveMessage(WAIT);
      if (r instanceof SafekeeperLink.Received rec && rec.message() instanceof AppendResponse a && a.flushLsn().equals(lastRecord)) break;
    }
    testKit.kit().stop(link);
  }

  private static wire.sk.AcceptorMessage received(TestProbe<SafekeeperLink.Report> owner) {
    while (true) {
      SafekeeperLink.Report r = owner.receiveMessage(WAIT);
      if (r instanceof SafekeeperLink.Received rec) return rec.message();
    }
  }

  @Test
  void syncWithNoWalOnAnySafekeeperReportsZero() {
    startSafekeepers();
    assertEquals(Optional.of(Lsn.INVALID), fastCheck(), "no safekeeper knows the timeline: nothing to sync");
    assertEquals(new WalProposer.Synced(Lsn.INVALID), sync());
  }

  @Test
  void syncRecoversLaggingSafekeepersFromTheDonorAndEveryRunAgrees() {
    startSafekeepers();
    SyntheticWal wal = SyntheticWal.records(START, 120, 3000);
    Lsn full = wal.recordEnds().get(119);
    seed(sks[0], wal, wal.end());
    seed(sks[1], wal, wal.recordEnds().get(40));
    sks[2].stop();
    assertEquals(Optional.empty(), fastCheck(), "safekeepers that differ need the full sync");

    WalProposer.SyncOutcome first = sync();
    assertEquals(new WalProposer.Synced(full), first, "the donor's WAL is the end of the timeline");
    TimelineStatus lagging = sks[1].status(TENANT, timeline);
    assertEquals(full, lagging.flushLsn(), "the lagging safekeeper got the donor's WAL");
    assertFalse(lagging.commitLsn().isBefore(full), "and knows it is committed");
    assertEquals(2, lagging.term());

    sks[2].start();
    assertEquals(first, sync(), "a second run finds the same end");
    TimelineStatus late = sks[2].status(TENANT, timeline);
    assertEquals(full, late.flushLsn(), "the safekeeper that missed everything was recovered from scratch");
    assertEquals(3, late.term());
  }

  @Test
  void syncOfAgreeingSafekeepersReturnsAtOnceWithTheSameLsn() {
    startSafekeepers();
    SyntheticWal wal = SyntheticWal.records(START, 30, 2000);
    for (InProcessSafekeeper sk : sks) seed(sk, wal, wal.end());
    Lsn end = wal.recordEnds().get(29);
    assertEquals(Optional.empty(), fastCheck(), "the WAL is flushed but not known to be committed: the full sync must run");
    assertEquals(new WalProposer.Synced(end), sync());
    assertEquals(Optional.of(end), fastCheck(), "after a sync every safekeeper has commit_lsn = flush_lsn");
    sks[0].stop();
    assertEquals(Optional.of(end), fastCheck(), "two of three answering the same is enough");
    assertEquals(new WalProposer.Synced(end), sync(), "any two of three agree");
  }
}
