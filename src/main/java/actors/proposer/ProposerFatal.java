package actors.proposer;

/**
 * A condition under which this proposer must stop and start over with a new election
 * (safekeeper.md §4.2, §4.3, §4.7): another proposer is alive, a vote was refused, or the
 * safekeepers' WAL does not fit the PostgreSQL it would stream from. The message names the
 * safekeeper and the values involved.
 */
public final class ProposerFatal extends RuntimeException {
  public enum Reason {
    /** A safekeeper is in a higher term: another proposer was elected after us. */
    HIGHER_TERM,
    /** A vote was refused while campaigning. */
    VOTE_REFUSED,
    /** A safekeeper uses a membership generation this proposer does not. */
    GENERATION_MISMATCH,
    /** A safekeeper answered out of protocol order. */
    PROTOCOL_VIOLATION,
    /** The local PostgreSQL could not be queried. */
    POSTGRES_UNAVAILABLE,
    /** The local PostgreSQL has less WAL than the safekeepers agreed on. */
    POSTGRES_BEHIND,
    /** No election or sync finished in the allowed time. */
    TIMEOUT
  }

  private final Reason reason;

  public ProposerFatal(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
