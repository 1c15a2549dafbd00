package wire.sk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class TermHistoryTest {
  private static TermHistory h(long... termLsnPairs) {
    List<TermHistory.Entry> list = new ArrayList<>();
    for (int i = 0; i < termLsnPairs.length; i += 2) list.add(new TermHistory.Entry(termLsnPairs[i], Lsn.of(termLsnPairs[i + 1])));
    return new TermHistory(list);
  }

  @Test
  void lastTermAndTermAtAnLsn() {
    TermHistory t = h(1, 100, 3, 500, 4, 900);
    assertEquals(4, t.lastTerm());
    assertEquals(0, TermHistory.EMPTY.lastTerm());
    assertEquals(0, t.termAt(Lsn.of(99)));
    assertEquals(1, t.termAt(Lsn.of(100)));
    assertEquals(1, t.termAt(Lsn.of(499)));
    assertEquals(3, t.termAt(Lsn.of(500)));
    assertEquals(4, t.termAt(Lsn.of(10_000)));
    assertEquals(h(1, 100, 3, 500), t.truncatedTo(Lsn.of(899)));
  }

  @Test
  void outOfOrderEntriesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> h(2, 100, 2, 200));
    assertThrows(IllegalArgumentException.class, () -> h(1, 200, 2, 100));
  }

  @Test
  void emptyOrDisjointAcceptorStartsAtTheLeadersFirstEntry() {
    TermHistory leader = h(1, 100, 5, 800);
    assertEquals(Lsn.of(100), TermHistory.highestCommonPoint(leader, TermHistory.EMPTY, Lsn.INVALID));
    assertEquals(Lsn.of(100), TermHistory.highestCommonPoint(leader, h(2, 100), Lsn.of(300)));
  }

  @Test
  void acceptorAlreadyInTheLeadersTermContinuesAtItsFlush() {
    TermHistory leader = h(1, 100, 5, 800);
    assertEquals(Lsn.of(950), TermHistory.highestCommonPoint(leader, leader, Lsn.of(950)));
  }

  @Test
  void commonTermEndsAtTheEarlierOfTheTwoEnds() {
    TermHistory leader = h(1, 100, 3, 500, 5, 800);
    // acceptor has term 1 up to its flush at 450, never saw term 3: stream from its flush
    assertEquals(Lsn.of(450), TermHistory.highestCommonPoint(leader, h(1, 100), Lsn.of(450)));
    // acceptor has more term-1 WAL than the leader kept: cut back to where term 3 began
    assertEquals(Lsn.of(500), TermHistory.highestCommonPoint(leader, h(1, 100), Lsn.of(700)));
    // acceptor went on in a term 2 the leader does not have, from 400: cut back to 400
    assertEquals(Lsn.of(400), TermHistory.highestCommonPoint(leader, h(1, 100, 2, 400), Lsn.of(650)));
    // common terms 1 and 3, acceptor flushed 600 of term 3, leader's term 5 starts at 800
    assertEquals(Lsn.of(600), TermHistory.highestCommonPoint(leader, h(1, 100, 3, 500), Lsn.of(600)));
  }

  @Test
  void sameTermWithDifferentStartsIsAnInvariantViolation() {
    assertThrows(IllegalArgumentException.class,
        () -> TermHistory.highestCommonPoint(h(1, 100, 5, 800), h(1, 200), Lsn.of(300)));
  }
}
