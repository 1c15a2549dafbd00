package wire.sk;

import java.util.List;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.xlog.Lsn;

/**
 * Which leader wrote which part of the WAL: entries (term, start LSN) with strictly increasing
 * terms and non-decreasing LSNs; the WAL of entry i's term runs from its LSN to the next entry's.
 * Encoded as {@code n u32 | n × (term u64, lsn u64)} (safekeeper.md §3).
 */
public record TermHistory(List<Entry> entries) {
  public record Entry(long term, Lsn lsn) {}

  public static final TermHistory EMPTY = new TermHistory(List.of());

  public TermHistory {
    entries = List.copyOf(entries);
    for (int i = 1; i < entries.size(); i++) {
      Entry a = entries.get(i - 1), b = entries.get(i);
      if (Long.compareUnsigned(a.term(), b.term()) >= 0 || b.lsn().isBefore(a.lsn())) {
        throw new IllegalArgumentException("term history out of order at index " + i + ": " + a + " then " + b);
      }
    }
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The term of the last entry, 0 when empty. */
  public long lastTerm() {
    return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).term();
  }

  /** The term whose WAL holds {@code lsn}: the last entry starting at or before it, 0 if none. */
  public long termAt(Lsn lsn) {
    long term = 0;
    for (Entry e : entries) {
      if (e.lsn().isAfter(lsn)) break;
      term = e.term();
    }
    return term;
  }

  /** The entries that start at or before {@code flush}: the part of the history an acceptor really holds. */
  public TermHistory truncatedTo(Lsn flush) {
    return new TermHistory(entries.stream().filter(e -> !e.lsn().isAfter(flush)).toList());
  }

  /** This history with the leader's own entry appended. */
  public TermHistory plus(long term, Lsn start) {
    List<Entry> more = new java.util.ArrayList<>(entries);
    more.add(new Entry(term, start));
    return new TermHistory(more);
  }

  /**
   * Where a new leader starts streaming to an acceptor (safekeeper.md §4.5): the end of the last
   * term both histories share. {@code leader} ends with the leader's own term; {@code acceptor} is
   * the acceptor's history truncated to its flush LSN {@code acceptorFlush}. Both sides compute it
   * and must agree.
   */
  public static Lsn highestCommonPoint(TermHistory leader, TermHistory acceptor, Lsn acceptorFlush) {
    if (leader.isEmpty()) throw new IllegalArgumentException("a leader's term history cannot be empty");
    List<Entry> p = leader.entries(), s = acceptor.entries();
    int k = -1;
    while (k + 1 < p.size() && k + 1 < s.size() && p.get(k + 1).term() == s.get(k + 1).term()) {
      Entry pe = p.get(k + 1), se = s.get(k + 1);
      if (!pe.lsn().equals(se.lsn())) {
        throw new IllegalArgumentException("term " + pe.term() + " starts at " + pe.lsn() + " for the leader but at "
            + se.lsn() + " for the acceptor");
      }
      k++;
    }
    if (k < 0) return p.get(0).lsn();
    if (k == p.size() - 1) return acceptorFlush;
    Lsn leaderEnd = p.get(k + 1).lsn();
    Lsn acceptorEnd = k + 1 < s.size() ? s.get(k + 1).lsn() : acceptorFlush;
    return Lsn.min(leaderEnd, acceptorEnd);
  }

  public void encodeTo(FieldWriter w) {
    w.u32(entries.size());
    for (Entry e : entries) w.u64(e.term()).u64(e.lsn().value());
  }

  public static TermHistory decode(FieldReader r) throws WireFormatException {
    int n = r.count("term_history.n", 16);
    List<Entry> list = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long term = r.i64("term_history[" + i + "].term");
      Lsn lsn = new Lsn(r.i64("term_history[" + i + "].lsn"));
      if (i > 0) {
        Entry prev = list.get(i - 1);
        if (Long.compareUnsigned(prev.term(), term) >= 0 || lsn.isBefore(prev.lsn())) {
          throw r.error("term_history[" + i + "]", "(" + Long.toUnsignedString(term) + ", " + lsn + ")",
              "must follow (" + Long.toUnsignedString(prev.term()) + ", " + prev.lsn() + ") with a higher term and no lower LSN");
        }
      }
      list.add(new Entry(term, lsn));
    }
    return new TermHistory(list);
  }
}
