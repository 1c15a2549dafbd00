package actors.safekeeper;

import java.math.BigInteger;
import java.util.List;
import java.util.OptionalLong;
import wire.xlog.Lsn;

/**
 * Which safekeeper uploads a timeline's WAL (safekeeper.md §7.1), decided by every safekeeper
 * alone from the same gossip: the live ones (published within {@code heartbeatMillis}) whose
 * commit_lsn is within {@code maxLagBytes} of the best, sorted by node id, indexed by the timeline
 * id modulo their count. A membership change changes the pick; two uploaders for a moment are
 * harmless because objects are whole segments under fixed names.
 */
final class UploaderElection {
  private UploaderElection() {}

  static OptionalLong elect(String tenantId, String timelineId, List<StatusGossip.TimelineInfo> gossip, long nowMillis,
      long heartbeatMillis, long maxLagBytes) {
    List<StatusGossip.TimelineInfo> live = gossip.stream()
        .filter(i -> i.tenantId().equals(tenantId) && i.timelineId().equals(timelineId))
        .filter(i -> nowMillis - i.publishedAtMillis() <= heartbeatMillis)
        .toList();
    if (live.isEmpty()) return OptionalLong.empty();
    long best = live.stream().mapToLong(i -> Lsn.parse(i.commitLsn()).value()).max().getAsLong();
    long threshold = Math.max(0, best - maxLagBytes);
    List<Long> caughtUp = live.stream()
        .filter(i -> Lsn.parse(i.commitLsn()).value() >= threshold)
        .map(StatusGossip.TimelineInfo::nodeId)
        .distinct()
        .sorted(Long::compareUnsigned)
        .toList();
    int index = new BigInteger(timelineId, 16).mod(BigInteger.valueOf(caughtUp.size())).intValue();
    return OptionalLong.of(caughtUp.get(index));
  }

  /** The highest backup_lsn any safekeeper reports for the timeline: S3 holds every segment below it. */
  static Lsn peersBackupLsn(String tenantId, String timelineId, List<StatusGossip.TimelineInfo> gossip) {
    return peersMax(tenantId, timelineId, gossip, StatusGossip.TimelineInfo::backupLsn);
  }

  /**
   * The highest remote_consistent_lsn any safekeeper heard from a pageserver: only the one the
   * pageserver streams from hears it, and every safekeeper's WAL removal needs it.
   */
  static Lsn peersRemoteConsistentLsn(String tenantId, String timelineId, List<StatusGossip.TimelineInfo> gossip) {
    return peersMax(tenantId, timelineId, gossip, StatusGossip.TimelineInfo::remoteConsistentLsn);
  }

  private static Lsn peersMax(String tenantId, String timelineId, List<StatusGossip.TimelineInfo> gossip,
      java.util.function.Function<StatusGossip.TimelineInfo, String> field) {
    Lsn max = Lsn.INVALID;
    for (StatusGossip.TimelineInfo i : gossip) {
      if (i.tenantId().equals(tenantId) && i.timelineId().equals(timelineId)) max = Lsn.max(max, Lsn.parse(field.apply(i)));
    }
    return max;
  }
}
