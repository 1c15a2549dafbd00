package actors.safekeeper;

/** A timeline's identity on a safekeeper: tenant and timeline ids, 32 lower-case hex characters each. */
public record TimelineId(String tenantId, String timelineId) implements Comparable<TimelineId> {
  public TimelineId {
    if (!isId(tenantId)) throw new IllegalArgumentException("tenant id '" + tenantId + "' is not 32 hex characters");
    if (!isId(timelineId)) throw new IllegalArgumentException("timeline id '" + timelineId + "' is not 32 hex characters");
  }

  public static boolean isId(String s) {
    return s != null && s.length() == 32 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  @Override
  public int compareTo(TimelineId o) {
    int c = tenantId.compareTo(o.tenantId);
    return c != 0 ? c : timelineId.compareTo(o.timelineId);
  }

  @Override
  public String toString() {
    return tenantId + "/" + timelineId;
  }
}
