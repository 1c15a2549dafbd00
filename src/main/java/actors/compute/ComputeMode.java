package actors.compute;

import wire.xlog.Lsn;

/**
 * What the compute's PostgreSQL is: the read-write primary of its timeline (WAL goes to the
 * safekeepers through the proposer), a read-only hot standby frozen at one LSN with no WAL source,
 * or a hot standby that streams WAL from the safekeepers.
 */
public sealed interface ComputeMode {
  /** The value of {@code strata.compute_mode} and of the pageserver's compute mode. */
  String word();

  record Primary() implements ComputeMode {
    @Override public String word() { return "primary"; }
  }

  record Static(Lsn lsn) implements ComputeMode {
    @Override public String word() { return "static"; }
  }

  record Replica() implements ComputeMode {
    @Override public String word() { return "replica"; }
  }

  default boolean isPrimary() {
    return this instanceof Primary;
  }
}
