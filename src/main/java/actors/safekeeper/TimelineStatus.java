package actors.safekeeper;

import wire.sk.TermHistory;
import wire.xlog.Lsn;

/** A snapshot of one timeline on one safekeeper, for HTTP, gossip and tests. */
public record TimelineStatus(
    String tenantId,
    String timelineId,
    long term,
    long lastLogTerm,
    TermHistory termHistory,
    Lsn flushLsn,
    Lsn commitLsn,
    Lsn backupLsn,
    Lsn remoteConsistentLsn,
    Lsn peerHorizonLsn,
    Lsn timelineStartLsn,
    Lsn localStartLsn,
    int pgVersion,
    long systemId,
    int walSegSize) {}
