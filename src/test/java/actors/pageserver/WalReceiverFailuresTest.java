package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import actors.safekeeper.StatusGossip;
import actors.safekeeper.StatusGossip.TimelineInfo;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testkit.SyntheticProposer;
import testkit.SyntheticWal;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * The reasons a walreceiver gives for ended connections, against peers that misbehave in one way
 * each: a socket that never answers, a safekeeper without the timeline, a safekeeper that stops
 * short of what the gossip says it has, one far behind another. The gossip entries are written by
 * the test into this (single-node) cluster's Distributed Data, as safekeepers would.
 */
class WalReceiverFailuresTest {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static ActorTestKit kit;
  private static WalReceiverLog log;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("WalReceiverFailuresTest", ConfigFactory.parseString(
        "akka.actor.provider = cluster\nakka.remote.artery.canonical.port = 0\n").withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(new Join(cluster.selfMember().address()));
    log = new WalReceiverLog();
  }

  @AfterAll
  static void stop() {
    log.close();
    kit.shutdownTestKit();
  }

  /** Publishes what safekeeper {@code node} says of {@code timeline}, as its StatusGossip would. */
  private static void gossip(long node, String timeline, String pgAddress, Lsn commit) {
    SelfUniqueAddress self = DistributedData.get(kit.system()).selfUniqueAddress();
    TimelineInfo info = new TimelineInfo(node, TENANT, timeline, 1, 1, commit.toString(), commit.toString(), "0/0", "0/0",
        pgAddress, "", System.currentTimeMillis());
    TestProbe<Replicator.UpdateResponse<LWWMap<String, TimelineInfo>>> done = kit.createTestProbe();
    DistributedData.get(kit.system()).replicator().tell(new Replicator.Update<>(StatusGossip.KEY, LWWMap.empty(),
        Replicator.writeLocal(), done.ref(), map -> map.put(self, node + "/" + TENANT + "/" + timeline, info)));
    done.expectMessageClass(Replicator.UpdateSuccess.class, WAIT);
  }

  private static WalReceiverSettings settings(Duration connectTimeout, Duration laggingWalTimeout, long maxLag) {
    return new WalReceiverSettings(connectTimeout, laggingWalTimeout, maxLag, Duration.ofMillis(100), Duration.ofSeconds(15),
        1.5, "pageserver");
  }

  private static List<WalReceiverLog.Failure> awaitFailures(String timeline, String what, java.util.function.Predicate<List<WalReceiverLog.Failure>> enough) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(WAIT, () -> {
      List<WalReceiverLog.Failure> f = log.failures(timeline);
      assertTrue(enough.test(f), what + ": " + f);
      return f;
    });
  }

  private static WalReceiverStatus status(ActorRef<WalReceiver.Command> receiver) {
    TestProbe<WalReceiverStatus> probe = kit.createTestProbe();
    receiver.tell(new WalReceiver.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  /** Each ended connection is exactly one WARN line, without a stack trace. */
  private static void assertOneLinePerEndedConnection(String timeline, ActorRef<WalReceiver.Command> receiver) {
    WalReceiverStatus s = status(receiver);
    long live = s.state() == WalReceiverStatus.State.WAITING ? 0 : 1;
    List<WalReceiverLog.Failure> failures = log.failures(timeline);
    assertEquals(s.connections() - live, failures.size(), "one line per ended connection: " + failures);
    failures.forEach(f -> assertFalse(f.hasThrowable(), "no stack trace: " + f.line()));
  }

  @Test
  void aSilentPeerIsATimeoutAndASafekeeperWithoutTheTimelineAProtocolError() throws IOException {
    String timeline = "00000000000000000000000000000b01";
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         InProcessSafekeeper empty = InProcessSafekeeper.start(kit, dir.resolve("sk"), 8)) {
      gossip(7, timeline, "127.0.0.1:" + silent.getLocalPort(), Lsn.parse("0/2000000"));
      gossip(8, timeline, empty.address(), Lsn.parse("0/2000000"));
      CollectingSink sink = new CollectingSink(START, List.of());
      ActorRef<WalReceiver.Command> receiver = kit.spawn(WalReceiver.create(
          settings(Duration.ofMillis(500), Duration.ofSeconds(60), 1L << 30), TENANT, timeline, sink, sink::lsns));

      List<WalReceiverLog.Failure> failures = awaitFailures(timeline, "two failures from each peer",
          f -> f.stream().filter(x -> x.sk().equals("7")).count() >= 2 && f.stream().filter(x -> x.sk().equals("8")).count() >= 2);
      Map<String, Set<String>> reasons = failures.stream()
          .collect(Collectors.groupingBy(WalReceiverLog.Failure::sk, Collectors.mapping(WalReceiverLog.Failure::reason, Collectors.toSet())));
      assertEquals(Map.of("7", Set.of("timeout"), "8", Set.of("protocol-error")), reasons, failures.toString());
      assertTrue(failures.stream().filter(f -> f.sk().equals("8")).allMatch(f -> f.line().contains("does not exist")), failures.toString());
      assertOneLinePerEndedConnection(timeline, receiver);
      kit.stop(receiver);
    }
  }

  /** Safekeeper 1 holds committed WAL [START, commit) of {@code timeline}, pushed by a synthetic proposer. */
  private InProcessSafekeeper safekeeperWith(String timeline, SyntheticWal wal, Lsn commit) throws IOException {
    InProcessSafekeeper sk = InProcessSafekeeper.start(kit, dir.resolve("sk"), 1);
    try (SyntheticProposer p = SyntheticProposer.elect(sk.port(), TENANT, timeline, 1, TermHistory.EMPTY.plus(1, START))) {
      p.append(wal, START, commit, commit);
    } catch (IOException | RuntimeException e) {
      sk.close();
      throw e;
    }
    return sk;
  }

  @Test
  void aSafekeeperThatSendsNoneOfTheWalItHasIsDroppedAsNoWal() throws IOException {
    String timeline = "00000000000000000000000000000b02";
    SyntheticWal wal = SyntheticWal.records(START, 50, 1000);
    Lsn commit = wal.recordEnds().get(49);
    try (InProcessSafekeeper sk = safekeeperWith(timeline, wal, commit)) {
      // the gossip claims more WAL than the safekeeper has: it streams what it has, then nothing
      gossip(1, timeline, sk.address(), commit.plus(4096));
      CollectingSink sink = new CollectingSink(START, wal.recordEnds());
      ActorRef<WalReceiver.Command> receiver = kit.spawn(WalReceiver.create(
          settings(Duration.ofSeconds(5), Duration.ofMillis(700), 1L << 30), TENANT, timeline, sink, sink::lsns));
      List<WalReceiverLog.Failure> failures = awaitFailures(timeline, "a failure", f -> !f.isEmpty());
      assertEquals("no-wal", failures.get(0).reason(), failures.get(0).line());
      assertTrue(failures.get(0).line().contains("has WAL up to " + commit.plus(4096)), failures.get(0).line());
      assertEquals(commit, sink.end(), "it got what the safekeeper had");
      assertOneLinePerEndedConnection(timeline, receiver);
      kit.stop(receiver);
    }
  }

  @Test
  void aConnectionFarBehindAnotherSafekeeperIsLeftAsLagging() throws IOException {
    String timeline = "00000000000000000000000000000b03";
    SyntheticWal wal = SyntheticWal.records(START, 50, 1000);
    Lsn commit = wal.recordEnds().get(49);
    try (InProcessSafekeeper sk = safekeeperWith(timeline, wal, commit);
         ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      gossip(1, timeline, sk.address(), commit);
      CollectingSink sink = new CollectingSink(START, wal.recordEnds());
      ActorRef<WalReceiver.Command> receiver = kit.spawn(WalReceiver.create(
          settings(Duration.ofSeconds(5), Duration.ofSeconds(60), 1 << 20), TENANT, timeline, sink, sink::lsns));
      kit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(commit, sink.end());
        return null;
      });
      assertEquals(List.of(), log.failures(timeline), "caught up without a failure");

      gossip(2, timeline, "127.0.0.1:" + silent.getLocalPort(), commit.plus(1 << 20));
      List<WalReceiverLog.Failure> failures = awaitFailures(timeline, "a failure", f -> !f.isEmpty());
      assertEquals("lagging", failures.get(0).reason(), failures.get(0).line());
      assertEquals("1", failures.get(0).sk());
      assertTrue(failures.get(0).line().contains("safekeeper 2 has commit_lsn " + commit.plus(1 << 20)), failures.get(0).line());
      kit.createTestProbe().awaitAssert(WAIT, () -> {
        assertEquals(2, status(receiver).safekeeperId(), "moved to the safekeeper ahead");
        return null;
      });
      assertOneLinePerEndedConnection(timeline, receiver);
      kit.stop(receiver);
    }
  }
}
