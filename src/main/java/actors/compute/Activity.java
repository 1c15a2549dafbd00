package actors.compute;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * compute.md A.11: when users last did something, from one sample of pg_stat_activity (the
 * compute's own sessions already left out). Any client session not {@code idle} (running a query,
 * or idle inside a transaction, which holds locks and a snapshot) means now; so do walsenders
 * other than the proposer's and autovacuum workers. Otherwise the newest moment an idle client
 * session went idle.
 */
public final class Activity {
  /** The proposer's walsender is the compute's own traffic, not a user's. */
  static final String PROPOSER_APPLICATION = PostgresConfig.PROPOSER;

  /** One row of pg_stat_activity. */
  public record Backend(String backendType, String state, Instant stateChange, String applicationName) {}

  private Activity() {}

  /** The activity time this sample shows, if any. */
  public static Optional<Instant> latest(List<Backend> sample, Instant now) {
    Instant idleSince = null;
    for (Backend b : sample) {
      String type = b.backendType() == null ? "" : b.backendType();
      if (type.equals("client backend")) {
        if (b.state() != null && !b.state().equals("idle")) return Optional.of(now);
        if (b.stateChange() != null && (idleSince == null || b.stateChange().isAfter(idleSince))) idleSince = b.stateChange();
      } else if (type.equals("walsender") && !PROPOSER_APPLICATION.equals(b.applicationName())) {
        return Optional.of(now);
      } else if (type.equals("autovacuum worker")) {
        return Optional.of(now);
      }
    }
    return Optional.ofNullable(idleSince);
  }

  /** last_active only moves forward. */
  public static Optional<Instant> advance(Optional<Instant> current, Optional<Instant> seen) {
    if (seen.isEmpty()) return current;
    if (current.isEmpty() || seen.get().isAfter(current.get())) return seen;
    return current;
  }
}
