package actors.pageserver;

/**
 * What the HTTP API reports about a timeline (reference pageserver.md §8.1 TimelineInfo); LSNs as
 * numbers here, printed {@code X/Y} at the edge.
 */
public record TimelineInfo(
    String tenantId,
    String timelineId,
    String name,
    String ancestorTimelineId,
    long ancestorLsn,
    long lastRecordLsn,
    long prevRecordLsn,
    long diskConsistentLsn,
    long remoteConsistentLsn,
    long initdbLsn,
    long gcCutoffLsn,
    long currentLogicalSize,
    long currentPhysicalSize,
    int pgVersion,
    String state,
    java.util.Map<String, Object> walReceiver) {

  public TimelineInfo withLsns(long last, long prev, long diskConsistent, long logicalSize, long physicalSize) {
    return new TimelineInfo(tenantId, timelineId, name, ancestorTimelineId, ancestorLsn, last, prev, diskConsistent,
        remoteConsistentLsn, initdbLsn, gcCutoffLsn, logicalSize, physicalSize, pgVersion, state, walReceiver);
  }

  public TimelineInfo withRemoteConsistentLsn(long remote) {
    return new TimelineInfo(tenantId, timelineId, name, ancestorTimelineId, ancestorLsn, lastRecordLsn, prevRecordLsn,
        diskConsistentLsn, remote, initdbLsn, gcCutoffLsn, currentLogicalSize, currentPhysicalSize, pgVersion, state, walReceiver);
  }

  public TimelineInfo withWalReceiver(java.util.Map<String, Object> status) {
    return new TimelineInfo(tenantId, timelineId, name, ancestorTimelineId, ancestorLsn, lastRecordLsn, prevRecordLsn,
        diskConsistentLsn, remoteConsistentLsn, initdbLsn, gcCutoffLsn, currentLogicalSize, currentPhysicalSize, pgVersion,
        state, status);
  }

  public TimelineInfo withGcCutoffAndSize(long cutoff, long physicalSize) {
    return new TimelineInfo(tenantId, timelineId, name, ancestorTimelineId, ancestorLsn, lastRecordLsn, prevRecordLsn,
        diskConsistentLsn, remoteConsistentLsn, initdbLsn, cutoff, currentLogicalSize, physicalSize, pgVersion, state, walReceiver);
  }
}
