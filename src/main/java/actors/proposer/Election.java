package actors.proposer;

import actors.proposer.ProposerFatal.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.VoteRequest;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * The proposer's side of consensus for one timeline (safekeeper.md §4), with no I/O: it is told
 * what each safekeeper said and answers with what to send. Safekeepers are numbered 0..n-1 in the
 * order they were configured. Any condition that means another proposer is alive throws
 * {@link ProposerFatal}; the owner then stops and a new election starts from scratch.
 * Membership generations are not used: the quorum is a majority of the configured safekeepers.
 */
public final class Election {
  public static final int GENERATION = 0;

  public enum Phase { COLLECTING_TERMS, CAMPAIGN, ELECTED }

  /** What the owner must do after an event. */
  public sealed interface Action {}
  public record SendVoteRequest(int sk, VoteRequest request) implements Action {}
  /** Send ProposerElected; the safekeeper is then streamed to from {@code elected.startStreamingAt()}. */
  public record SendElected(int sk, ProposerElected elected) implements Action {}
  /** A quorum voted and nobody holds WAL: the owner must supply the start LSN ({@link #bootstrap}). */
  public record NeedsStartLsn(long term) implements Action {}
  /** The leader's term, where its WAL starts, and the donor whose history it continues. */
  public record BecameLeader(long term, Lsn termStartLsn, Lsn truncateLsn, int donor, TermHistory history)
      implements Action {}

  private final List<String> names;
  private final int quorum;
  private Phase phase = Phase.COLLECTING_TERMS;
  private long propTerm;
  // per safekeeper, for the current connection
  private final boolean[] connected;
  private final boolean[] greeted;
  private final VoteResponse[] votes;
  // per safekeeper, remembered across reconnects (§4.7)
  private final boolean[] everGreeted;
  private final Lsn[] flushAck;
  private final Lsn[] commitAck;
  // the leader, once decided
  private int donor = -1;
  private Lsn termStartLsn = Lsn.INVALID;
  private Lsn truncateLsn = Lsn.INVALID;
  private TermHistory history;
  private Lsn commitLsn = Lsn.INVALID;
  private boolean agreedAtElection;

  public Election(List<String> safekeeperNames) {
    if (safekeeperNames.isEmpty()) throw new IllegalArgumentException("a proposer needs at least one safekeeper");
    this.names = List.copyOf(safekeeperNames);
    int n = names.size();
    this.quorum = quorum(n);
    this.connected = new boolean[n];
    this.greeted = new boolean[n];
    this.votes = new VoteResponse[n];
    this.everGreeted = new boolean[n];
    this.flushAck = new Lsn[n];
    this.commitAck = new Lsn[n];
    Arrays.fill(flushAck, Lsn.INVALID);
    Arrays.fill(commitAck, Lsn.INVALID);
  }

  /** A majority of n: n/2 + 1. */
  public static int quorum(int n) {
    return n / 2 + 1;
  }

  /** A new connection to {@code sk} is ready for the greeting; what it said before is forgotten. */
  public void onConnected(int sk) {
    connected[sk] = true;
    greeted[sk] = false;
    votes[sk] = null;
  }

  public void onDisconnected(int sk) {
    connected[sk] = false;
    greeted[sk] = false;
    votes[sk] = null;
  }

  public List<Action> onGreeting(int sk, AcceptorGreeting g) {
    requireConnected(sk, "AcceptorGreeting");
    if (g.mconf().generation() != GENERATION) {
      throw new ProposerFatal(Reason.GENERATION_MISMATCH, "safekeeper " + names.get(sk) + " uses membership generation "
          + Integer.toUnsignedString(g.mconf().generation()) + "; this proposer uses " + GENERATION);
    }
    greeted[sk] = true;
    everGreeted[sk] = true;
    if (phase != Phase.COLLECTING_TERMS) {
      if (Long.compareUnsigned(g.term(), propTerm) > 0) {
        throw higherTerm(sk, g.term(), "greeting");
      }
      return List.of(voteRequest(sk));
    }
    if (Long.compareUnsigned(g.term(), propTerm) > 0) propTerm = g.term();
    if (count(everGreeted) < quorum) return List.of();
    propTerm++;
    phase = Phase.CAMPAIGN;
    List<Action> out = new ArrayList<>();
    for (int i = 0; i < greeted.length; i++) if (greeted[i]) out.add(voteRequest(i));
    return out;
  }

  public List<Action> onVote(int sk, VoteResponse v) {
    requireConnected(sk, "VoteResponse");
    if (phase == Phase.COLLECTING_TERMS || !greeted[sk] || votes[sk] != null) {
      throw new ProposerFatal(Reason.PROTOCOL_VIOLATION, "safekeeper " + names.get(sk) + " sent a VoteResponse for term "
          + Long.toUnsignedString(v.term()) + " that was not asked for");
    }
    checkGeneration(sk, v.generation());
    if (!v.voteGiven() && (Long.compareUnsigned(v.term(), propTerm) > 0 || phase == Phase.CAMPAIGN)) {
      throw new ProposerFatal(Long.compareUnsigned(v.term(), propTerm) > 0 ? Reason.HIGHER_TERM : Reason.VOTE_REFUSED,
          "safekeeper " + names.get(sk) + " refused its vote for term " + Long.toUnsignedString(propTerm)
              + " (it is in term " + Long.toUnsignedString(v.term()) + ")");
    }
    if (v.term() != propTerm) {
      throw new ProposerFatal(Reason.PROTOCOL_VIOLATION, "safekeeper " + names.get(sk) + " answered the vote for term "
          + Long.toUnsignedString(propTerm) + " with term " + Long.toUnsignedString(v.term()));
    }
    votes[sk] = v;
    if (phase == Phase.ELECTED) {
      return history == null ? List.of() : List.of(elected(sk));
    }
    if (count(votes) < quorum) return List.of();
    phase = Phase.ELECTED;
    decideStartPosition();
    if (!termStartLsn.isValid()) return List.of(new NeedsStartLsn(propTerm));
    history = votes[donor].termHistory().plus(propTerm, termStartLsn);
    return leaderActions();
  }

  /**
   * Nobody held WAL when the quorum voted (§4.4 step 1): the leader's WAL starts at {@code start},
   * a record boundary of the PostgreSQL it streams from.
   */
  public List<Action> bootstrap(Lsn start) {
    if (phase != Phase.ELECTED || history != null) {
      throw new IllegalStateException("bootstrap(" + start + ") in phase " + phase + " with history " + history);
    }
    if (!start.isValid()) throw new IllegalArgumentException("a leader cannot start its WAL at 0/0");
    termStartLsn = start;
    truncateLsn = Lsn.max(truncateLsn, start);
    history = TermHistory.EMPTY.plus(propTerm, start);
    return leaderActions();
  }

  /** Recomputes the donor, the term start and truncate_lsn from the current votes (§4.3): nothing is kept from before. */
  private void decideStartPosition() {
    donor = -1;
    termStartLsn = Lsn.INVALID;
    truncateLsn = Lsn.INVALID;
    for (int i = 0; i < votes.length; i++) {
      VoteResponse v = votes[i];
      if (v == null) continue;
      truncateLsn = Lsn.max(truncateLsn, v.truncateLsn());
      if (donor < 0 || isAhead(v, votes[donor])) donor = i;
    }
    termStartLsn = votes[donor].flushLsn();
    // a voter's truncate_lsn is what an earlier leader knew every safekeeper held (§4.4 step 6)
    agreedAtElection = termStartLsn.isValid() && truncateLsn.equals(termStartLsn);
  }

  /** Lexicographic (last_log_term, flush_lsn): newer WAL in a later term wins over longer WAL in an older one. */
  private static boolean isAhead(VoteResponse a, VoteResponse b) {
    int byTerm = Long.compareUnsigned(a.termHistory().lastTerm(), b.termHistory().lastTerm());
    return byTerm != 0 ? byTerm > 0 : a.flushLsn().isAfter(b.flushLsn());
  }

  private List<Action> leaderActions() {
    List<Action> out = new ArrayList<>();
    out.add(new BecameLeader(propTerm, termStartLsn, truncateLsn, donor, history));
    for (int i = 0; i < votes.length; i++) if (votes[i] != null) out.add(elected(i));
    return out;
  }

  private SendElected elected(int sk) {
    VoteResponse v = votes[sk];
    Lsn start = TermHistory.highestCommonPoint(history, v.termHistory(), v.flushLsn());
    return new SendElected(sk, new ProposerElected(GENERATION, propTerm, start, history));
  }

  /**
   * Records what a safekeeper holds (§4.7) and returns true when commit_lsn advanced. Acks are
   * kept across reconnects.
   */
  public boolean onAppendResponse(int sk, AppendResponse r) {
    checkGeneration(sk, r.generation());
    if (Long.compareUnsigned(r.term(), propTerm) > 0) throw higherTerm(sk, r.term(), "AppendResponse");
    if (phase != Phase.ELECTED || history == null) {
      throw new ProposerFatal(Reason.PROTOCOL_VIOLATION, "safekeeper " + names.get(sk)
          + " sent an AppendResponse before this proposer was elected in term " + Long.toUnsignedString(propTerm));
    }
    flushAck[sk] = r.flushLsn();
    commitAck[sk] = r.commitLsn();
    Lsn before = commitLsn;
    commitLsn = Lsn.max(commitLsn, quorumFlush());
    Lsn minFlush = Arrays.stream(flushAck).min(Lsn::compareTo).orElseThrow();
    truncateLsn = Lsn.max(truncateLsn, Lsn.min(minFlush, commitLsn));
    return commitLsn.isAfter(before);
  }

  /** The highest LSN flushed on a quorum, counting no ack below the start of this term (Raft's figure 8). */
  private Lsn quorumFlush() {
    Lsn[] counted = new Lsn[flushAck.length];
    for (int i = 0; i < counted.length; i++) {
      counted[i] = flushAck[i].isBefore(termStartLsn) ? Lsn.INVALID : flushAck[i];
    }
    Arrays.sort(counted);
    return counted[counted.length - quorum];
  }

  /**
   * sync-safekeepers is done (§4.8): every connected safekeeper has commit_lsn at or past the term
   * start, and so does the quorum commit; or the quorum already agreed when it voted.
   */
  public boolean syncComplete() {
    if (phase != Phase.ELECTED || history == null) return false;
    if (agreedAtElection) return true;
    if (commitLsn.isBefore(termStartLsn)) return false;
    for (int i = 0; i < connected.length; i++) {
      if (connected[i] && commitAck[i].isBefore(termStartLsn)) return false;
    }
    return true;
  }

  private ProposerFatal higherTerm(int sk, long term, String what) {
    return new ProposerFatal(Reason.HIGHER_TERM, "safekeeper " + names.get(sk) + " is in term " + Long.toUnsignedString(term)
        + " (" + what + "), above this proposer's term " + Long.toUnsignedString(propTerm) + ": another proposer is alive");
  }

  private void checkGeneration(int sk, int generation) {
    if (generation != GENERATION) {
      throw new ProposerFatal(Reason.GENERATION_MISMATCH, "safekeeper " + names.get(sk) + " answered in membership generation "
          + Integer.toUnsignedString(generation) + "; this proposer uses " + GENERATION);
    }
  }

  private void requireConnected(int sk, String what) {
    if (!connected[sk]) throw new IllegalStateException(what + " from safekeeper " + names.get(sk) + " while not connected");
  }

  private SendVoteRequest voteRequest(int sk) {
    return new SendVoteRequest(sk, new VoteRequest(GENERATION, propTerm));
  }

  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) if (f) n++;
    return n;
  }

  private static int count(Object[] values) {
    int n = 0;
    for (Object v : values) if (v != null) n++;
    return n;
  }

  public Phase phase() { return phase; }
  public long term() { return propTerm; }
  public int size() { return names.size(); }
  public String name(int sk) { return names.get(sk); }
  public int donor() { return donor; }
  /** Where this leader's WAL starts; 0/0 until elected (and bootstrapped). */
  public Lsn termStartLsn() { return termStartLsn; }
  public Lsn commitLsn() { return commitLsn; }
  public Lsn truncateLsn() { return truncateLsn; }
  /** The leader's term history, or null before it is known. */
  public TermHistory history() { return history; }
  public boolean isLeader() { return history != null; }
  /** The voters already agreed on everything up to the term start: sync-safekeepers may stop at once. */
  public boolean agreedAtElection() { return agreedAtElection; }
  public boolean isConnected(int sk) { return connected[sk]; }
  public Lsn flushAck(int sk) { return flushAck[sk]; }
  public Lsn commitAck(int sk) { return commitAck[sk]; }
}
