package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import actors.compute.SafekeeperFastCheck.Answer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

/** When the fast check may skip sync-safekeepers, from the answers alone (the wire is in WalProposerSyncTest). */
class SafekeeperFastCheckTest {
  private static final Lsn L = Lsn.parse("0/3000028");
  private static final Optional<Answer> SYNCED = Optional.of(new Answer(L, L));
  private static final Optional<Answer> NO_WAL = Optional.of(Answer.NO_WAL);
  private static final Optional<Answer> SILENT = Optional.empty();

  @Test
  void aMajorityWithCommitEqualToFlushGivesItsLsn() {
    assertEquals(Optional.of(L), SafekeeperFastCheck.agreed(List.of(SYNCED, SYNCED, SYNCED), 3));
    assertEquals(Optional.of(L), SafekeeperFastCheck.agreed(List.of(SYNCED, SILENT, SYNCED), 3));
    assertEquals(Optional.of(L), SafekeeperFastCheck.agreed(List.of(SYNCED, SYNCED), 3), "two answers of three settle it");
  }

  @Test
  void fewerThanAMajorityOrDifferentAnswersNeedTheFullSync() {
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(SYNCED, SILENT, SILENT), 3));
    Optional<Answer> ahead = Optional.of(new Answer(L.plus(8), L.plus(8)));
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(SYNCED, ahead, SYNCED), 3));
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(SYNCED, NO_WAL, SYNCED), 3));
  }

  @Test
  void walNotKnownToBeCommittedNeedsTheFullSync() {
    Optional<Answer> uncommitted = Optional.of(new Answer(L, Lsn.parse("0/2000000")));
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(uncommitted, uncommitted, uncommitted), 3));
  }

  @Test
  void theRehearsalReadsItsCannedAnswer() throws Exception {
    assertEquals(Lsn.parse("0/1000028"), SafekeeperFastCheck.rehearse());
  }

  @Test
  void noWalAnywhereNeedsEveryAnswer() {
    assertEquals(Optional.of(Lsn.INVALID), SafekeeperFastCheck.agreed(List.of(NO_WAL, NO_WAL, NO_WAL), 3));
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(NO_WAL, NO_WAL, SILENT), 3),
        "the silent safekeeper may hold WAL that the full sync would recover");
    assertEquals(Optional.empty(), SafekeeperFastCheck.agreed(List.of(NO_WAL, NO_WAL), 3), "the third has not answered yet");
  }
}
