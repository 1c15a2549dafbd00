package store.pgdatadir;

import java.io.IOException;

/**
 * Where a basebackup gets the real WAL that precedes its LSN on the same segment, so that the
 * compute's first segment is byte-identical to the real stream up to there (start-at-lsn.md, S2).
 */
@FunctionalInterface
public interface WalPrefix {
  /** No WAL is known: the basebackup writes zeros before its LSN (with the contrecord trick). */
  WalPrefix NONE = (from, to) -> null;

  /**
   * The real WAL bytes in {@code [from, to)} (LSNs; {@code from} is a page start, both in one
   * segment), page headers included, or null when they are not (all) known.
   */
  byte[] bytes(long from, long to) throws IOException;
}
