package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.pageserver.CollectingSink;
import actors.pageserver.WalReceiver;
import actors.pageserver.WalReceiverLog;
import actors.pageserver.WalReceiverSettings;
import actors.pageserver.WalReceiverStatus;
import akka.actor.AddressFromURIString;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.Ports;
import testkit.ProcessLogs;
import testkit.SafekeeperNodes;
import testkit.StrataProcess;
import testkit.SyntheticProposer;
import testkit.SyntheticWal;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * A WalReceiver in this JVM's actor system, which joins the cluster of real safekeeper nodes to
 * read their gossip, streaming committed WAL that a synthetic proposer pushed to them.
 */
@ExtendWith(ProcessLogs.class)
class WalReceiverIT {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static ActorTestKit kit;
  private static int seedPort;
  private static WalReceiverLog log;

  @BeforeAll
  static void joinCluster() {
    seedPort = Ports.free();
    kit = ActorTestKit.create("strata", ConfigFactory.parseString(
        "akka.actor.provider = cluster\n"
            + "akka.remote.artery.canonical.port = " + seedPort + "\n"
            + "akka.cluster.seed-nodes = [\"akka://strata@127.0.0.1:" + seedPort + "\"]\n"
            + "akka.actor.testkit.typed.system-shutdown-default = 20s\n")
        .withFallback(ConfigFactory.load()));
    log = new WalReceiverLog();
  }

  @AfterAll
  static void leave() {
    if (log != null) log.close();
    if (kit != null) kit.shutdownTestKit();
  }

  /** The test's safekeeper nodes are killed by now: down them, so the next test's cluster converges and leaving is quick. */
  @AfterEach
  void downOtherMembers() {
    Cluster cluster = Cluster.get(kit.system());
    for (Member m : cluster.state().getMembers()) {
      if (!m.equals(cluster.selfMember())) cluster.manager().tell(new Down(m.address()));
    }
  }

  private static WalReceiverStatus status(ActorRef<WalReceiver.Command> receiver) {
    TestProbe<WalReceiverStatus> probe = kit.createTestProbe();
    receiver.tell(new WalReceiver.GetStatus(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static void awaitReceived(CollectingSink sink, Lsn upTo) {
    StrataProcess.await(WAIT, "WAL delivered up to " + upTo, () -> {
      assertNull(sink.problem());
      return !sink.end().isBefore(upTo);
    });
  }

  private static void awaitRemoteConsistent(SafekeeperNodes sks, int i, Lsn lsn) {
    StrataProcess.await(WAIT, "remote_consistent_lsn " + lsn + " on sk" + (i + 1), () ->
        sks.timelineStatus(i).path("remote_consistent_lsn").asText().equals(lsn.toString()));
  }

  /** Page-aligned record ends would make a new stream skip a page header; these workloads have none. */
  private static SyntheticWal wal(int records, int size) {
    SyntheticWal wal = SyntheticWal.records(START, records, size);
    assertTrue(wal.recordEnds().stream().noneMatch(e -> e.pageOffset() == 0), "no record ends on a page boundary");
    return wal;
  }

  /** Every failure is one WARN line without a stack trace, and each ended connection has exactly one. */
  private static void assertOneLinePerEndedConnection(String timeline, WalReceiverStatus s) {
    List<WalReceiverLog.Failure> failures = log.failures(timeline);
    failures.forEach(f -> assertFalse(f.hasThrowable(), "no stack trace: " + f.line()));
    long live = s.state() == WalReceiverStatus.State.WAITING ? 0 : 1;
    assertEquals(s.connections() - live, failures.size(), "one line per ended connection: " + failures);
  }

  @Test
  void streamsCommittedWalSendsFeedbackAndSwitchesWhenItsSafekeeperDies() throws Exception {
    String timeline = "00000000000000000000000000000a01";
    SyntheticWal wal = wal(400, 3010);
    Lsn first = wal.recordEnds().get(199);
    Lsn second = wal.recordEnds().get(399);
    try (SafekeeperNodes sks = SafekeeperNodes.start(2, TENANT, timeline, List.of(seedPort))) {
      SyntheticProposer[] proposers = new SyntheticProposer[2];
      for (int i = 0; i < 2; i++) {
        proposers[i] = SyntheticProposer.elect(sks.pgPort(i), TENANT, timeline, 1, TermHistory.EMPTY.plus(1, START));
        proposers[i].append(wal, START, first, first);
      }
      CollectingSink sink = new CollectingSink(START, wal.recordEnds());
      ActorRef<WalReceiver.Command> receiver = kit.spawn(WalReceiver.create(WalReceiverSettings.defaults(), TENANT, timeline,
          sink, sink::lsns));

      awaitReceived(sink, first);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(sks.wal(i, START, first), sink.bytes(START, first), "the bytes of sk" + (i + 1) + "'s segment file");
      }
      WalReceiverStatus s = status(receiver);
      assertEquals(WalReceiverStatus.State.STREAMING, s.state(), s.toString());
      int connected = (int) s.safekeeperId() - 1;
      assertEquals("127.0.0.1:" + sks.pgPort(connected), s.safekeeperAddress());
      assertEquals(first, s.lastReceivedLsn());
      // apply carries remote_consistent_lsn, which the sink keeps one record behind the rest
      awaitRemoteConsistent(sks, connected, wal.recordEnds().get(198));

      sks.kill(connected);
      int other = 1 - connected;
      proposers[other].append(wal, first, second, second);
      awaitReceived(sink, second);
      assertArrayEquals(sks.wal(other, START, second), sink.bytes(START, second), "the surviving safekeeper's WAL");
      awaitRemoteConsistent(sks, other, wal.recordEnds().get(398));
      s = status(receiver);
      assertEquals(other + 1, s.safekeeperId(), "switched to the safekeeper that is alive: " + s);

      List<WalReceiverLog.Failure> failures = log.failures(timeline);
      assertEquals(String.valueOf(connected + 1), failures.get(0).sk(), failures.toString());
      assertEquals("connection-lost", failures.get(0).reason(), failures.get(0).line());
      assertTrue(failures.stream().allMatch(f -> f.reason().equals("connection-lost") || f.reason().equals("connection-refused")),
          failures.toString());
      assertOneLinePerEndedConnection(timeline, s);
      kit.stop(receiver);
      for (SyntheticProposer p : proposers) p.close();
    }
  }

  @Test
  void backoffGrowsWhileTheSafekeeperIsDownAndResetsWhenItsWalAdvancesTheTimeline() throws Exception {
    String timeline = "00000000000000000000000000000a02";
    SyntheticWal wal = wal(200, 3010);
    Lsn first = wal.recordEnds().get(99);
    Lsn second = wal.recordEnds().get(199);
    // a long lagging-wal-timeout keeps the dead safekeeper's gossip entry, and its backoff, while it restarts
    WalReceiverSettings settings = new WalReceiverSettings(Duration.ofSeconds(10), Duration.ofSeconds(120), 1L << 30,
        Duration.ofMillis(100), Duration.ofSeconds(15), 1.5, "pageserver");
    try (SafekeeperNodes sks = SafekeeperNodes.start(1, TENANT, timeline, List.of(seedPort))) {
      try (SyntheticProposer p = SyntheticProposer.elect(sks.pgPort(0), TENANT, timeline, 1, TermHistory.EMPTY.plus(1, START))) {
        p.append(wal, START, first, first);
      }
      CollectingSink sink = new CollectingSink(START, wal.recordEnds());
      ActorRef<WalReceiver.Command> receiver = kit.spawn(WalReceiver.create(settings, TENANT, timeline, sink, sink::lsns));
      awaitReceived(sink, first);

      String deadNode = sks.node(0).address();
      sks.kill(0);
      Cluster.get(kit.system()).manager().tell(new Down(AddressFromURIString.parse(deadNode)));   // lets its next incarnation join
      StrataProcess.await(WAIT, "five failed connections", () -> log.failures(timeline).size() >= 5);
      List<Long> backoffs = log.failures(timeline).stream().limit(5).map(WalReceiverLog.Failure::backoffMillis).toList();
      assertEquals(List.of(100L, 150L, 225L, 337L, 506L), backoffs, log.failures(timeline).toString());
      List<String> reasons = log.failures(timeline).stream().limit(5).map(WalReceiverLog.Failure::reason).toList();
      assertEquals("connection-lost", reasons.get(0));
      // A reconnect right after the loss can still reach the dying process (its listening socket closes a
      // moment after the connection): lost again. Once it is gone, every attempt is refused.
      assertTrue(reasons.stream().allMatch(r -> r.equals("connection-lost") || r.equals("connection-refused")), reasons.toString());
      assertEquals("connection-refused", reasons.get(4), log.failures(timeline).toString());
      assertTrue(status(receiver).safekeepers().get(0).failuresSinceProgress() >= 5);

      sks.restart(0);
      try (SyntheticProposer p = SyntheticProposer.elect(sks.pgPort(0), TENANT, timeline, 2,
          TermHistory.EMPTY.plus(1, START).plus(2, first))) {
        p.append(wal, first, second, second);
      }
      awaitReceived(sink, second);
      assertArrayEquals(sks.wal(0, START, second), sink.bytes(START, second));
      StrataProcess.await(WAIT, "the backoff reset", () -> {
        WalReceiverStatus.Safekeeper sk = status(receiver).safekeepers().get(0);
        return sk.failuresSinceProgress() == 0 && sk.nextBackoffMillis() == 100;
      });
      assertOneLinePerEndedConnection(timeline, status(receiver));
      kit.stop(receiver);
    }
  }
}
