package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class UploaderElectionTest {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final long NOW = 1_000_000;

  private static StatusGossip.TimelineInfo info(long node, String timeline, String commit, String backup, long publishedAt) {
    return new StatusGossip.TimelineInfo(node, TENANT, timeline, 1, 1, commit, commit, backup, "0/0", "pg", "http", publishedAt);
  }

  private static OptionalLong elect(String timeline, List<StatusGossip.TimelineInfo> gossip) {
    return UploaderElection.elect(TENANT, timeline, gossip, NOW, 5_000, 128L << 20);
  }

  @Test
  void everyNodeComputesTheSamePickWhateverTheGossipOrder() {
    String tl = "00000000000000000000000000000007";
    List<StatusGossip.TimelineInfo> gossip = new ArrayList<>(List.of(info(3, tl, "0/3000000", "0/0", NOW), info(1, tl, "0/3000000", "0/0", NOW),
        info(2, tl, "0/3000000", "0/0", NOW)));
    OptionalLong first = elect(tl, gossip);
    java.util.Collections.reverse(gossip);
    assertEquals(first, elect(tl, gossip));
    assertEquals(OptionalLong.of(2), first, "7 mod 3 = 1: the second of nodes 1, 2, 3");
  }

  @Test
  void timelinesSpreadOverTheNodes() {
    Set<Long> picked = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      String tl = String.format("%032x", i);
      picked.add(elect(tl, List.of(info(1, tl, "0/1", "0/0", NOW), info(2, tl, "0/1", "0/0", NOW), info(3, tl, "0/1", "0/0", NOW))).getAsLong());
    }
    assertEquals(Set.of(1L, 2L, 3L), picked);
  }

  @Test
  void aSilentNodeLosesTheJob() {
    String tl = "00000000000000000000000000000001";   // 1 mod 2 = 1: node 2 of {1, 2}
    var live = List.of(info(1, tl, "0/1", "0/0", NOW), info(2, tl, "0/1", "0/0", NOW));
    assertEquals(OptionalLong.of(2), elect(tl, live));
    var twoSilent = List.of(info(1, tl, "0/1", "0/0", NOW), info(2, tl, "0/1", "0/0", NOW - 6_000));
    assertEquals(OptionalLong.of(1), elect(tl, twoSilent));
  }

  @Test
  void aNodeFarBehindIsNotElected() {
    String tl = "00000000000000000000000000000001";
    var gossip = List.of(info(1, tl, "1/0", "0/0", NOW), info(2, tl, "0/1000000", "0/0", NOW));
    assertEquals(OptionalLong.of(1), elect(tl, gossip));
    assertNotEquals(OptionalLong.of(2), elect(tl, gossip));
  }

  @Test
  void otherTimelinesAndNoGossipElectNobody() {
    String tl = "00000000000000000000000000000001";
    assertTrue(elect(tl, List.of(info(1, "00000000000000000000000000000002", "0/1", "0/0", NOW))).isEmpty());
    assertTrue(elect(tl, List.of()).isEmpty());
  }

  @Test
  void peersBackupLsnIsTheHighestReported() {
    String tl = "00000000000000000000000000000001";
    var gossip = List.of(info(1, tl, "0/5000000", "0/2000000", NOW), info(2, tl, "0/5000000", "0/4000000", NOW - 60_000),
        info(3, "00000000000000000000000000000002", "0/9000000", "0/9000000", NOW));
    assertEquals(Lsn.parse("0/4000000"), UploaderElection.peersBackupLsn(TENANT, tl, gossip));
  }

  @Test
  void peersRemoteConsistentLsnIsTheHighestAnySafekeeperHeard() {
    String tl = "00000000000000000000000000000001";
    var heard = new StatusGossip.TimelineInfo(2, TENANT, tl, 1, 1, "0/5000000", "0/5000000", "0/0", "0/3000000", "pg", "http", NOW);
    var gossip = List.of(info(1, tl, "0/5000000", "0/0", NOW), heard,
        new StatusGossip.TimelineInfo(3, TENANT, "00000000000000000000000000000002", 1, 1, "1/0", "1/0", "0/0", "1/0", "pg", "http", NOW));
    assertEquals(Lsn.parse("0/3000000"), UploaderElection.peersRemoteConsistentLsn(TENANT, tl, gossip));
  }
}
