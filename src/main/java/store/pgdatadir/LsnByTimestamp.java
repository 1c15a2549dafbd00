package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;

/**
 * The LSN of a point in time, from the commit timestamps that ride after committed CLOG pages
 * (reference pageserver.md §8.1 lsn_by_timestamp). The newest timestamp over all CLOG pages at an LSN
 * grows with the LSN, so a binary search over [min, max] finds where commits pass the target.
 */
public final class LsnByTimestamp {
  private static final long UNIX_TO_PG_EPOCH_SECONDS = 946_684_800L;
  private static final long NONE = Long.MIN_VALUE;

  public enum Kind { PRESENT, PAST, FUTURE, NODATA }

  /** PRESENT: the end LSN of the last commit at or before the target; FUTURE: max; PAST and NODATA: min or max. */
  public record Answer(long lsn, Kind kind) {}

  private LsnByTimestamp() {}

  /** Microseconds since 2000-01-01 UTC, PostgreSQL's TimestampTz. */
  public static long pgMicros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond() - UNIX_TO_PG_EPOCH_SECONDS, 1_000_000L), t.getNano() / 1000);
  }

  /** Searches LSNs in [min, max] of the data directory {@code d} (its own LSN is ignored). */
  public static Answer find(Datadir d, long min, long max, Instant target) throws IOException {
    long t = pgMicros(target);
    long atMax = newestCommit(d.at(max));
    if (atMax == NONE) return new Answer(max, Kind.NODATA);
    if (atMax <= t) return new Answer(max, Kind.FUTURE);
    long atMin = newestCommit(d.at(min));
    if (atMin != NONE && atMin > t) return new Answer(min, Kind.PAST);
    long lo = min, hi = max;   // newest(lo) <= t or none; newest(hi) > t
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      long at = newestCommit(d.at(mid));
      if (at != NONE && at > t) hi = mid; else lo = mid;
    }
    long found = newestCommit(d.at(lo));
    if (found == NONE) return new Answer(min, Kind.PAST);
    long first = min, last = lo;   // the first LSN where that commit is visible: its end LSN
    if (newestCommit(d.at(first)) >= found) return new Answer(first, Kind.PRESENT);
    while (last - first > 1) {
      long mid = first + (last - first) / 2;
      if (newestCommit(d.at(mid)) >= found) last = mid; else first = mid;
    }
    return new Answer(last, Kind.PRESENT);
  }

  /** The newest commit timestamp trailer among the CLOG pages at {@code d}'s LSN, or NONE. */
  static long newestCommit(Datadir d) throws IOException {
    long newest = NONE;
    for (int segno : d.slruSegments(SlruKind.CLOG).numbers()) {
      int blocks = d.slruSegmentSize(SlruKind.CLOG, segno);
      for (int b = 0; b < blocks; b++) {
        byte[] page = d.get(Key.slruBlock(SlruKind.CLOG, segno, b));
        if (page != null && page.length >= Datadir.PAGE_SIZE + Long.BYTES) {
          newest = Math.max(newest, ByteBuffer.wrap(page, Datadir.PAGE_SIZE, Long.BYTES).getLong());
        }
      }
    }
    return newest;
  }
}
