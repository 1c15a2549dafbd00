package actors.pageserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import wire.xlog.Lsn;

/**
 * What a {@link WalReceiver} is doing, for HTTP and tests. {@code safekeeperId} is 0,
 * {@code safekeeperAddress} empty and the connection's LSNs invalid without a connection;
 * {@code lastReceivedAtMillis} (wall clock) is 0 before any WAL arrived.
 *
 * @param streamStartLsn      where the current connection's START_REPLICATION began
 * @param lastReceivedLsn     end of the last WAL received, on any connection
 * @param safekeeperCommitLsn the most WAL the connected safekeeper is known to have (its stream or the gossip)
 * @param connections         connections started so far; all but a live one have ended with a WARN line
 * @param lastFailure         "reason: detail" of the last ended connection, or empty
 */
public record WalReceiverStatus(String tenantId, String timelineId, State state, long safekeeperId, String safekeeperAddress,
    Lsn streamStartLsn, Lsn lastReceivedLsn, long lastReceivedAtMillis, Lsn safekeeperCommitLsn, long connections,
    String lastFailure, List<Safekeeper> safekeepers) {

  /** No safekeeper to connect to (none in the gossip, all waiting out a backoff, or ingest busy); connecting; receiving. */
  public enum State { WAITING, CONNECTING, STREAMING }

  /**
   * A safekeeper the receiver knows from the gossip: where, how far, and how its retries stand.
   * {@code failuresSinceProgress} counts ended connections since WAL from it last advanced the
   * timeline; the next one waits {@code nextBackoffMillis}; it may be tried in {@code eligibleInMillis}.
   */
  public record Safekeeper(long nodeId, String pgAddress, Lsn commitLsn, int failuresSinceProgress,
      long nextBackoffMillis, long eligibleInMillis) {}

  public WalReceiverStatus {
    safekeepers = List.copyOf(safekeepers);
  }

  /** The status as JSON-ready fields, LSNs as X/Y. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant_id", tenantId);
    m.put("timeline_id", timelineId);
    m.put("state", state.name().toLowerCase(Locale.ROOT));
    m.put("safekeeper_id", safekeeperId);
    m.put("safekeeper_address", safekeeperAddress);
    m.put("stream_start_lsn", streamStartLsn.toString());
    m.put("last_received_lsn", lastReceivedLsn.toString());
    m.put("last_received_at_millis", lastReceivedAtMillis);
    m.put("safekeeper_commit_lsn", safekeeperCommitLsn.toString());
    m.put("connections", connections);
    m.put("last_failure", lastFailure);
    m.put("safekeepers", safekeepers.stream().map(s -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node_id", s.nodeId());
      e.put("pg_address", s.pgAddress());
      e.put("commit_lsn", s.commitLsn().toString());
      e.put("failures_since_progress", s.failuresSinceProgress());
      e.put("next_backoff_millis", s.nextBackoffMillis());
      e.put("eligible_in_millis", s.eligibleInMillis());
      return e;
    }).toList());
    return m;
  }
}
