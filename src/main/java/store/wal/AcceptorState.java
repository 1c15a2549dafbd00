package store.wal;

import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * What a safekeeper must remember about one timeline across crashes (safekeeper.md §2): the term it
 * promised, the term history it adopted, the server it serves and the LSN horizons. flush_lsn is not
 * here: it is found by scanning the WAL from commit_lsn at start.
 */
public record AcceptorState(
    String tenantId,
    String timelineId,
    long term,
    TermHistory termHistory,
    int pgVersion,
    long systemId,
    int walSegSize,
    Lsn timelineStartLsn,
    Lsn localStartLsn,
    Lsn commitLsn,
    Lsn backupLsn,
    Lsn peerHorizonLsn,
    Lsn remoteConsistentLsn,
    long createdAtMillis) {

  /** A timeline created explicitly at {@code start} (HTTP create): term 0, all horizons at start. */
  public static AcceptorState created(String tenantId, String timelineId, int pgVersion, long systemId, int walSegSize,
      Lsn start, long nowMillis) {
    return new AcceptorState(tenantId, timelineId, 0, TermHistory.EMPTY, pgVersion, systemId, walSegSize,
        start, start, start, start, start, Lsn.INVALID, nowMillis);
  }

  /** A timeline created by a proposer's greeting: everything unknown until the first election. */
  public static AcceptorState implicit(String tenantId, String timelineId, int pgVersion, long systemId, int walSegSize,
      long nowMillis) {
    return new AcceptorState(tenantId, timelineId, 0, TermHistory.EMPTY, pgVersion, systemId, walSegSize,
        Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, nowMillis);
  }

  public AcceptorState withTerm(long newTerm) {
    return new AcceptorState(tenantId, timelineId, newTerm, termHistory, pgVersion, systemId, walSegSize,
        timelineStartLsn, localStartLsn, commitLsn, backupLsn, peerHorizonLsn, remoteConsistentLsn, createdAtMillis);
  }

  public AcceptorState withServer(int newPgVersion, long newSystemId) {
    return new AcceptorState(tenantId, timelineId, term, termHistory, newPgVersion, newSystemId, walSegSize,
        timelineStartLsn, localStartLsn, commitLsn, backupLsn, peerHorizonLsn, remoteConsistentLsn, createdAtMillis);
  }

  /** The state after a leader's election is accepted (safekeeper.md §3.5 step 8). */
  public AcceptorState elected(TermHistory history, Lsn startStreamingAt) {
    Lsn tlStart = timelineStartLsn.isValid() ? timelineStartLsn : history.entries().get(0).lsn();
    Lsn horizon = peerHorizonLsn.isValid() ? peerHorizonLsn : tlStart;
    Lsn localStart = localStartLsn.isValid() ? localStartLsn : startStreamingAt;
    return new AcceptorState(tenantId, timelineId, term, history, pgVersion, systemId, walSegSize,
        tlStart, localStart, Lsn.max(commitLsn, tlStart), Lsn.max(backupLsn, tlStart), horizon,
        Lsn.max(remoteConsistentLsn, tlStart), createdAtMillis);
  }

  public AcceptorState withHorizons(Lsn commit, Lsn backup, Lsn peerHorizon, Lsn remoteConsistent) {
    return new AcceptorState(tenantId, timelineId, term, termHistory, pgVersion, systemId, walSegSize,
        timelineStartLsn, localStartLsn, commit, backup, peerHorizon, remoteConsistent, createdAtMillis);
  }
}
