package actors.pageserver;

import actors.safekeeper.StatusGossip.TimelineInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import wire.xlog.Lsn;

/**
 * What one timeline's walreceiver knows of the safekeepers that have the timeline (from the
 * gossip), and when each may be tried again (pageserver.md §9.2, §9.3). Pure state with the time
 * passed in as {@code System.nanoTime()} values; owned by the {@link WalReceiver} actor.
 */
final class SafekeeperCandidates {
  /** A safekeeper as the gossip last described it; {@code seenAtNanos} is when its entry last changed here. */
  record Candidate(long nodeId, String host, int port, Lsn commitLsn, long publishedAtMillis, long seenAtNanos) {
    String address() {
      return host + ":" + port;
    }
  }

  /** Failures since WAL from the node last advanced the timeline, the wait the next one gets, and when it may connect. */
  private static final class Retry {
    int failures;
    long backoffNanos;
    long nextAtNanos;
  }

  private final WalReceiverSettings settings;
  private final String tenantId;
  private final String timelineId;
  private final Map<Long, Candidate> byNode = new TreeMap<>();
  private final Map<Long, Retry> retries = new HashMap<>();

  SafekeeperCandidates(WalReceiverSettings settings, String tenantId, String timelineId) {
    this.settings = settings;
    this.tenantId = tenantId;
    this.timelineId = timelineId;
  }

  /** Takes the gossip's entries for this timeline; entries for others, or with no usable address or LSN, are ignored. */
  void update(Collection<TimelineInfo> gossip, long now) {
    for (TimelineInfo info : gossip) {
      if (!info.tenantId().equals(tenantId) || !info.timelineId().equals(timelineId)) continue;
      Candidate known = byNode.get(info.nodeId());
      if (known != null && known.publishedAtMillis() == info.publishedAtMillis()) continue;   // nothing new
      Lsn commit;
      try {
        commit = Lsn.parse(info.commitLsn());
      } catch (IllegalArgumentException e) {
        continue;
      }
      String address = info.pgAddress() == null ? "" : info.pgAddress();
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || !commit.isValid()) continue;
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      byNode.put(info.nodeId(), new Candidate(info.nodeId(), address.substring(0, colon), port, commit, info.publishedAtMillis(), now));
    }
  }

  /** Forgets safekeepers the gossip has not refreshed for lagging-wal-timeout, with their retry state; never {@code keep}. */
  void forgetStale(long now, OptionalLong keep) {
    long limit = settings.laggingWalTimeout().toNanos();
    byNode.values().removeIf(c -> now - c.seenAtNanos() >= limit && (keep.isEmpty() || keep.getAsLong() != c.nodeId()));
    retries.keySet().retainAll(byNode.keySet());
  }

  Optional<Candidate> get(long nodeId) {
    return Optional.ofNullable(byNode.get(nodeId));
  }

  /** The commit_lsn the gossip reports for {@code nodeId}, or INVALID. */
  Lsn commitLsn(long nodeId) {
    Candidate c = byNode.get(nodeId);
    return c == null ? Lsn.INVALID : c.commitLsn();
  }

  /** The safekeeper with the highest commit_lsn that may be tried now, other than {@code exclude}; ties go to the lower id. */
  Optional<Candidate> best(long now, OptionalLong exclude) {
    Candidate best = null;
    for (Candidate c : byNode.values()) {
      if (exclude.isPresent() && exclude.getAsLong() == c.nodeId()) continue;
      Retry r = retries.get(c.nodeId());
      if (r != null && r.nextAtNanos - now > 0) continue;
      if (best == null || c.commitLsn().isAfter(best.commitLsn())) best = c;
    }
    return Optional.ofNullable(best);
  }

  /**
   * A connection to {@code nodeId} that started at {@code startedNanos} ended: the node may be tried
   * again one backoff after that start, and the backoff grows for next time. Returns the backoff applied.
   */
  long connectionEnded(long nodeId, long startedNanos) {
    Retry r = retries.computeIfAbsent(nodeId, id -> {
      Retry fresh = new Retry();
      fresh.backoffNanos = settings.retryMin().toNanos();
      return fresh;
    });
    long applied = r.backoffNanos;
    r.failures++;
    r.nextAtNanos = startedNanos + applied;
    r.backoffNanos = Math.min((long) (applied * settings.retryMultiplier()), settings.retryMax().toNanos());
    return applied;
  }

  /** WAL from {@code nodeId} advanced the timeline: its next failure waits the minimum again. */
  void progressed(long nodeId) {
    retries.remove(nodeId);
  }

  /** When something next changes without a message: a retry becomes possible or an entry goes stale. */
  OptionalLong nextDeadline(long now) {
    long best = Long.MAX_VALUE;
    boolean any = false;
    for (Candidate c : byNode.values()) {
      long stale = c.seenAtNanos() + settings.laggingWalTimeout().toNanos();
      Retry r = retries.get(c.nodeId());
      long at = r != null && r.nextAtNanos - now > 0 ? Math.min(r.nextAtNanos, stale) : stale;
      if (!any || at - best < 0) best = at;
      any = true;
    }
    return any ? OptionalLong.of(best) : OptionalLong.empty();
  }

  List<WalReceiverStatus.Safekeeper> status(long now) {
    List<WalReceiverStatus.Safekeeper> out = new ArrayList<>();
    for (Candidate c : byNode.values()) {
      Retry r = retries.get(c.nodeId());
      long backoff = r == null ? settings.retryMin().toNanos() : r.backoffNanos;
      long eligibleIn = r == null ? 0 : Math.max(0, r.nextAtNanos - now);
      out.add(new WalReceiverStatus.Safekeeper(c.nodeId(), c.address(), c.commitLsn(), r == null ? 0 : r.failures,
          backoff / 1_000_000, eligibleIn / 1_000_000));
    }
    return out;
  }

  boolean isEmpty() {
    return byNode.isEmpty();
  }
}
