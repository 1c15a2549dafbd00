package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.proposer.Election.Action;
import actors.proposer.Election.BecameLeader;
import actors.proposer.Election.NeedsStartLsn;
import actors.proposer.Election.SendElected;
import actors.proposer.Election.SendVoteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.HotStandbyFeedback;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

class ElectionTest {
  private static final Lsn A = Lsn.parse("0/1000028");
  private static final Lsn B = Lsn.parse("0/1200000");
  private static final Lsn C = Lsn.parse("0/1400000");
  private static final Lsn D = Lsn.parse("0/1600000");

  private static Election election(int n) {
    Election e = new Election(java.util.stream.IntStream.range(0, n).mapToObj(i -> "sk" + i).toList());
    for (int i = 0; i < n; i++) e.onConnected(i);
    return e;
  }

  private static AcceptorGreeting greeting(long term) {
    return new AcceptorGreeting(9, MembershipConfiguration.NONE, term);
  }

  private static VoteResponse vote(long term, boolean given, Lsn flush, Lsn truncate, TermHistory history) {
    return new VoteResponse(0, term, given, flush, truncate, history);
  }

  private static AppendResponse ack(long term, Lsn flush, Lsn commit) {
    return new AppendResponse(0, term, flush, commit, HotStandbyFeedback.NONE, null);
  }

  private static TermHistory history(Object... termsAndLsns) {
    TermHistory h = TermHistory.EMPTY;
    for (int i = 0; i < termsAndLsns.length; i += 2) h = h.plus(((Number) termsAndLsns[i]).longValue(), (Lsn) termsAndLsns[i + 1]);
    return h;
  }

  /** Greets all with the given terms; returns the election in CAMPAIGN. */
  private static Election campaigning(long... terms) {
    Election e = election(terms.length);
    for (int i = 0; i < terms.length; i++) e.onGreeting(i, greeting(terms[i]));
    assertEquals(Election.Phase.CAMPAIGN, e.phase());
    return e;
  }

  private static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void quorumIsAMajorityOfTheConfiguredSafekeepers() {
    assertEquals(1, Election.quorum(1));
    assertEquals(2, Election.quorum(2));
    assertEquals(2, Election.quorum(3));
    assertEquals(3, Election.quorum(4));
    assertEquals(3, Election.quorum(5));
  }

  @Test
  void termIsOneAboveTheHighestGreetedTermOnceAQuorumGreeted() {
    Election e = election(3);
    assertEquals(List.of(), e.onGreeting(0, greeting(5)));
    assertEquals(Election.Phase.COLLECTING_TERMS, e.phase());
    List<Action> actions = e.onGreeting(1, greeting(3));
    assertEquals(6, e.term());
    assertEquals(List.of(0, 1), only(actions, SendVoteRequest.class).stream().map(SendVoteRequest::sk).toList());
    assertTrue(only(actions, SendVoteRequest.class).stream().allMatch(v -> v.request().term() == 6));
    List<Action> late = e.onGreeting(2, greeting(7 - 1));
    assertEquals(1, late.size(), "a late greeter is asked for its vote at once");
    assertEquals(6, ((SendVoteRequest) late.get(0)).request().term());
  }

  @Test
  void greetingsAreCountedPerSafekeeperNotPerConnection() {
    Election e = election(3);
    e.onGreeting(0, greeting(1));
    e.onDisconnected(0);
    e.onConnected(0);
    assertEquals(List.of(), e.onGreeting(0, greeting(1)));
    assertEquals(Election.Phase.COLLECTING_TERMS, e.phase(), "one safekeeper greeting twice is not a quorum");
  }

  @Test
  void aGreetingAboveTheProposedTermAfterTheCampaignStartedIsFatal() {
    Election e = election(3);
    e.onGreeting(0, greeting(1));
    e.onGreeting(1, greeting(1));
    ProposerFatal f = assertThrows(ProposerFatal.class, () -> e.onGreeting(2, greeting(3)));
    assertEquals(ProposerFatal.Reason.HIGHER_TERM, f.reason());
    assertTrue(f.getMessage().contains("sk2") && f.getMessage().contains("term 3"), f.getMessage());
    Election same = election(3);
    same.onGreeting(0, greeting(1));
    same.onGreeting(1, greeting(1));
    assertEquals(1, same.onGreeting(2, greeting(2)).size(), "the proposed term itself is no conflict");
  }

  @Test
  void aRefusedVoteWhileCampaigningIsFatal() {
    Election e = campaigning(1, 1, 1);
    ProposerFatal f = assertThrows(ProposerFatal.class, () -> e.onVote(0, vote(2, false, A, A, history(1, A))));
    assertEquals(ProposerFatal.Reason.VOTE_REFUSED, f.reason());
    Election e2 = campaigning(1, 1, 1);
    assertEquals(ProposerFatal.Reason.HIGHER_TERM,
        assertThrows(ProposerFatal.class, () -> e2.onVote(0, vote(5, false, A, A, history(1, A)))).reason());
  }

  @Test
  void donorHasTheHighestLastLogTermThenTheHighestFlush() {
    Election e = campaigning(2, 2, 2);
    // sk0 holds more WAL, but of term 1; sk1 holds less, of term 2; sk2 the same term 2 with less
    e.onVote(0, vote(3, true, D, A, history(1, A)));
    List<Action> actions = e.onVote(1, vote(3, true, C, A, history(1, A, 2, B)));
    BecameLeader leader = only(actions, BecameLeader.class).get(0);
    assertEquals(1, leader.donor());
    assertEquals(C, leader.termStartLsn());
    assertEquals(history(1, A, 2, B, 3, C), leader.history());
    assertEquals(Election.Phase.ELECTED, e.phase());
    // the term 1 WAL of sk0 beyond B is truncated: it streams from where term 1 ended for the leader
    SendElected toSk0 = only(actions, SendElected.class).stream().filter(s -> s.sk() == 0).findFirst().orElseThrow();
    assertEquals(B, toSk0.elected().startStreamingAt());
    SendElected toSk1 = only(actions, SendElected.class).stream().filter(s -> s.sk() == 1).findFirst().orElseThrow();
    assertEquals(C, toSk1.elected().startStreamingAt());
    assertEquals(history(1, A, 2, B, 3, C), toSk1.elected().termHistory());
  }

  @Test
  void sameLastLogTermIsDecidedByFlush() {
    Election e = campaigning(2, 2, 2);
    e.onVote(0, vote(3, true, B, A, history(1, A)));
    BecameLeader leader = only(e.onVote(2, vote(3, true, C, A, history(1, A))), BecameLeader.class).get(0);
    assertEquals(2, leader.donor());
    assertEquals(C, leader.termStartLsn());
  }

  @Test
  void votesOfADisconnectedSafekeeperAreNotCounted() {
    Election e = campaigning(1, 1, 1);
    e.onVote(0, vote(2, true, D, A, history(1, A)));
    e.onDisconnected(0);
    assertEquals(List.of(), e.onVote(1, vote(2, true, B, A, history(1, A))), "one current vote is no quorum");
    BecameLeader leader = only(e.onVote(2, vote(2, true, C, A, history(1, A))), BecameLeader.class).get(0);
    assertEquals(2, leader.donor(), "the donor is chosen from the current votes only");
    assertEquals(C, leader.termStartLsn());
  }

  @Test
  void truncateLsnStartsAtTheHighestOfTheVoters() {
    Election e = campaigning(1, 1, 1);
    e.onVote(0, vote(2, true, C, B, history(1, A)));
    BecameLeader leader = only(e.onVote(1, vote(2, true, C, A, history(1, A))), BecameLeader.class).get(0);
    assertEquals(B, leader.truncateLsn());
    assertFalse(e.agreedAtElection());
  }

  @Test
  void aLateVoterGetsProposerElectedAtItsHighestCommonPoint() {
    Election e = campaigning(1, 1);
    e.onVote(0, vote(2, true, C, A, history(1, A)));
    e.onVote(1, vote(2, true, C, A, history(1, A)));
    Election three = campaigning(1, 1, 1);
    three.onVote(0, vote(2, true, C, A, history(1, A)));
    three.onVote(1, vote(2, true, C, A, history(1, A)));
    List<Action> late = three.onVote(2, vote(2, true, B, A, history(1, A)));
    assertEquals(1, late.size());
    assertEquals(B, ((SendElected) late.get(0)).elected().startStreamingAt(), "it lacks WAL from its own flush on");
  }

  @Test
  void aReconnectedVoterAlreadyInOurTermIsAcceptedAndStreamsFromItsFlush() {
    Election e = campaigning(1, 1, 1);
    e.onVote(0, vote(2, true, C, A, history(1, A)));
    e.onVote(1, vote(2, true, C, A, history(1, A)));
    e.onDisconnected(0);
    e.onConnected(0);
    e.onGreeting(0, greeting(2));
    List<Action> again = e.onVote(0, vote(2, false, D, A, history(1, A, 2, C)));
    assertEquals(D, ((SendElected) again.get(0)).elected().startStreamingAt());
  }

  @Test
  void withNoWalAnywhereTheLeaderWaitsForABootstrapStart() {
    Election e = campaigning(0, 0, 0);
    e.onVote(0, vote(1, true, Lsn.INVALID, Lsn.INVALID, TermHistory.EMPTY));
    List<Action> actions = e.onVote(1, vote(1, true, Lsn.INVALID, Lsn.INVALID, TermHistory.EMPTY));
    assertEquals(List.of(new NeedsStartLsn(1)), actions);
    assertFalse(e.isLeader());
    assertEquals(List.of(), e.onVote(2, vote(1, true, Lsn.INVALID, Lsn.INVALID, TermHistory.EMPTY)), "nothing to send yet");
    List<Action> after = e.bootstrap(A);
    assertEquals(new BecameLeader(1, A, A, 0, history(1, A)), after.get(0));
    assertEquals(3, only(after, SendElected.class).size());
    assertTrue(only(after, SendElected.class).stream().allMatch(s -> s.elected().startStreamingAt().equals(A)));
  }

  @Test
  void commitIsTheHighestLsnFlushedOnAQuorum() {
    Election e = leader(3, B);
    assertFalse(e.onAppendResponse(0, ack(2, D, B)));
    assertEquals(Lsn.INVALID, e.commitLsn(), "one ack of three is no quorum");
    assertTrue(e.onAppendResponse(1, ack(2, C, B)));
    assertEquals(C, e.commitLsn());
    assertTrue(e.onAppendResponse(2, ack(2, D, B)));
    assertEquals(D, e.commitLsn());
  }

  @Test
  void acksBelowTheTermStartAreNotCounted() {
    Election e = leader(3, C);
    e.onAppendResponse(0, ack(2, C, A));
    assertFalse(e.onAppendResponse(1, ack(2, B, A)), "older-term WAL below our start commits only with our own");
    assertEquals(Lsn.INVALID, e.commitLsn());
    assertTrue(e.onAppendResponse(1, ack(2, C, A)));
    assertEquals(C, e.commitLsn(), "an ack exactly at the term start counts");
  }

  @Test
  void commitNeverGoesBackAndTruncateIsTheLowestFlushCappedByCommit() {
    Election e = leader(3, B);
    e.onAppendResponse(0, ack(2, D, B));
    e.onAppendResponse(1, ack(2, D, B));
    assertEquals(D, e.commitLsn());
    assertEquals(A, e.truncateLsn(), "sk2 never answered: it counts as 0, the election's value stays");
    e.onAppendResponse(2, ack(2, C, B));
    assertEquals(C, e.truncateLsn());
    e.onAppendResponse(0, ack(2, C, B));
    e.onAppendResponse(1, ack(2, C, B));
    assertEquals(D, e.commitLsn(), "commit_lsn is monotonic");
    assertEquals(C, e.truncateLsn());
  }

  @Test
  void truncateLsnNeverPassesCommit() {
    Election e = leader(1, B);
    e.onAppendResponse(0, ack(2, A, A));
    assertEquals(A, e.truncateLsn(), "below the term start nothing is committed: truncate stays at the election value");
    e.onAppendResponse(0, ack(2, D, B));
    assertEquals(D, e.truncateLsn());
  }

  @Test
  void anAppendResponseFromAHigherTermIsFatal() {
    Election e = leader(3, B);
    ProposerFatal f = assertThrows(ProposerFatal.class, () -> e.onAppendResponse(1, AppendResponse.higherTerm(0, 7)));
    assertEquals(ProposerFatal.Reason.HIGHER_TERM, f.reason());
    assertTrue(f.getMessage().contains("term 7"), f.getMessage());
  }

  @Test
  void anotherMembershipGenerationIsFatal() {
    Election e = election(3);
    AcceptorGreeting g = new AcceptorGreeting(1, new MembershipConfiguration(2,
        List.of(new MembershipConfiguration.Member(1, "h", 1)), List.of()), 0);
    assertEquals(ProposerFatal.Reason.GENERATION_MISMATCH, assertThrows(ProposerFatal.class, () -> e.onGreeting(0, g)).reason());
    Election l = leader(3, B);
    assertEquals(ProposerFatal.Reason.GENERATION_MISMATCH,
        assertThrows(ProposerFatal.class, () -> l.onAppendResponse(0, new AppendResponse(3, 2, B, B, HotStandbyFeedback.NONE, null))).reason());
  }

  @Test
  void syncCompletesOnlyWhenEveryConnectedSafekeeperCommittedTheTermStart() {
    Election e = leader(3, C);
    e.onAppendResponse(0, ack(2, C, C));
    e.onAppendResponse(1, ack(2, C, C));
    assertEquals(C, e.commitLsn());
    assertFalse(e.syncComplete(), "sk2 is connected and has not reported commit_lsn >= " + C);
    e.onAppendResponse(2, ack(2, B, B));
    assertFalse(e.syncComplete());
    e.onDisconnected(2);
    assertTrue(e.syncComplete(), "an offline safekeeper does not hold sync back");
  }

  @Test
  void syncStopsAtOnceWhenTheVotersAlreadyAgreed() {
    Election e = campaigning(1, 1, 1);
    e.onVote(0, vote(2, true, C, C, history(1, A)));
    e.onVote(1, vote(2, true, C, C, history(1, A)));
    assertTrue(e.agreedAtElection());
    assertTrue(e.syncComplete());
  }

  /** n safekeepers, all voted with flush {@code start} in term 1: leader of term 2 starting at start. */
  private static Election leader(int n, Lsn start) {
    long[] terms = new long[n];
    java.util.Arrays.fill(terms, 1);
    Election e = campaigning(terms);
    for (int i = 0; i < n; i++) e.onVote(i, vote(2, true, start, A, history(1, A)));
    assertTrue(e.isLeader());
    assertEquals(start, e.termStartLsn());
    return e;
  }
}
