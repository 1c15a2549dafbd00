package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.StatusGossip.TimelineInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

/** Choosing a safekeeper from the gossip, and the per-safekeeper backoff, with time passed in. */
class SafekeeperCandidatesTest {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final String TIMELINE = "fedcba9876543210fedcba9876543210";
  private static final long MS = 1_000_000L;
  private static final OptionalLong NONE = OptionalLong.empty();

  private final WalReceiverSettings settings = WalReceiverSettings.defaults();
  private final SafekeeperCandidates candidates = new SafekeeperCandidates(settings, TENANT, TIMELINE);

  private static TimelineInfo info(long node, String commit, long publishedAt) {
    return new TimelineInfo(node, TENANT, TIMELINE, 1, 1, commit, commit, "0/0", "0/0", "127.0.0.1:" + (5000 + node),
        "http://127.0.0.1:" + (7000 + node), publishedAt);
  }

  @Test
  void theHighestCommitLsnWinsAndOtherTimelinesAreIgnored() {
    TimelineInfo otherTimeline = new TimelineInfo(9, TENANT, "00000000000000000000000000000009", 1, 1, "9/0", "9/0",
        "0/0", "0/0", "127.0.0.1:5009", "", 1);
    candidates.update(List.of(info(1, "0/2000000", 1), info(2, "0/3000000", 1), info(3, "0/3000000", 1), otherTimeline), 0);
    assertEquals(2, candidates.best(0, NONE).orElseThrow().nodeId(), "highest commit_lsn, ties to the lower id");
    assertEquals(3, candidates.best(0, OptionalLong.of(2)).orElseThrow().nodeId());
    assertEquals(5002, candidates.best(0, NONE).orElseThrow().port());
  }

  @Test
  void backoffGrowsByHalfFromTheMinimumToTheMaximumAndResetsOnProgress() {
    candidates.update(List.of(info(1, "0/2000000", 1)), 0);
    List<Long> applied = new ArrayList<>();
    long now = 0;
    for (int i = 0; i < 14; i++) {
      applied.add(candidates.connectionEnded(1, now) / MS);
      now += 1;
    }
    assertEquals(List.of(100L, 150L, 225L, 337L, 506L, 759L, 1139L, 1708L, 2562L, 3844L, 5766L, 8649L, 12974L, 15000L), applied);
    assertEquals(15000L, candidates.connectionEnded(1, now) / MS, "never above retry-max-backoff");

    long startedAt = 50 * MS;
    candidates.progressed(1);
    assertEquals(100L, candidates.connectionEnded(1, startedAt) / MS, "WAL that advanced the timeline resets the backoff");
    assertTrue(candidates.best(startedAt + 99 * MS, NONE).isEmpty(), "not before one backoff after the connection started");
    assertEquals(1, candidates.best(startedAt + 100 * MS, NONE).orElseThrow().nodeId());
    assertEquals(OptionalLong.of(startedAt + 100 * MS), candidates.nextDeadline(startedAt));
  }

  @Test
  void aSafekeeperInBackoffIsPassedOverForAnotherOne() {
    candidates.update(List.of(info(1, "0/3000000", 1), info(2, "0/2000000", 1)), 0);
    candidates.connectionEnded(1, 0);
    assertEquals(2, candidates.best(10 * MS, NONE).orElseThrow().nodeId());
    assertEquals(1, candidates.best(100 * MS, NONE).orElseThrow().nodeId());
  }

  @Test
  void entriesTheGossipStopsRefreshingAreForgottenWithTheirBackoff() {
    long timeout = settings.laggingWalTimeout().toNanos();
    candidates.update(List.of(info(1, "0/3000000", 1), info(2, "0/2000000", 1)), 0);
    candidates.connectionEnded(2, 0);
    candidates.connectionEnded(2, 0);
    candidates.update(List.of(info(1, "0/3000000", 2), info(2, "0/2000000", 1)), timeout / 2);   // only node 1 publishes
    candidates.forgetStale(timeout, NONE);
    assertEquals(List.of(1L), candidates.status(timeout).stream().map(WalReceiverStatus.Safekeeper::nodeId).toList());
    candidates.forgetStale(timeout * 2, OptionalLong.of(1));
    assertEquals(1, candidates.status(timeout * 2).size(), "the connected safekeeper stays");
    candidates.update(List.of(info(2, "0/2000000", 5)), timeout * 2);
    assertEquals(0, candidates.status(timeout * 2).get(1).failuresSinceProgress(), "a returning node starts without backoff");
  }

  @Test
  void streamsStartPastAPageHeaderWhenOnAPageBoundary() {
    assertEquals(Lsn.parse("0/1000028"), WalReceiver.streamStart(Lsn.parse("0/1000000")), "segment start: long header");
    assertEquals(Lsn.parse("0/1002018"), WalReceiver.streamStart(Lsn.parse("0/1002000")), "page start: short header");
    assertEquals(Lsn.parse("0/1002058"), WalReceiver.streamStart(Lsn.parse("0/1002051")), "8-aligned");
    assertEquals(Lsn.parse("0/1002018"), WalReceiver.streamStart(Lsn.parse("0/1001FFC")), "aligned onto the boundary");
  }

  @Test
  void settingsNameTheBadKey() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WalReceiverSettings(
        Duration.ofSeconds(10), Duration.ZERO, 1, Duration.ofMillis(100), Duration.ofSeconds(15), 1.5, "pageserver"));
    assertTrue(e.getMessage().contains("strata.pageserver.walreceiver.lagging-wal-timeout"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WalReceiverSettings(
        Duration.ofSeconds(10), Duration.ofSeconds(10), 1, Duration.ofMillis(100), Duration.ofSeconds(15), 1.5, "ps"));
    assertTrue(e.getMessage().contains("application-name"), e.getMessage());
    var fromConfig = WalReceiverSettings.from(com.typesafe.config.ConfigFactory.load());
    assertEquals(WalReceiverSettings.defaults(), fromConfig, "application.conf holds Neon's defaults");
  }
}
