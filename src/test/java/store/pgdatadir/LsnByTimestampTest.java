package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import wire.keyspace.Directories;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;

/** The binary search over commit-timestamp trailers finds the end LSN of the last commit at or before a time. */
class LsnByTimestampTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  /** Commits on two CLOG pages: at end LSN 1000 + 100·i, time T0 + i seconds (i = 0..19), alternating pages. */
  private static Datadir clog(int commits) {
    TreeMap<Long, long[]> byLsn = new TreeMap<>();   // lsn -> {page, ts}
    for (int i = 0; i < commits; i++) byLsn.put(1000L + 100L * i, new long[] {i % 2, LsnByTimestamp.pgMicros(T0.plusSeconds(i))});
    PageReader reader = (key, lsn) -> {
      if (key.equals(Key.slruDir(SlruKind.CLOG))) return Directories.NumberSet.EMPTY.with(0).encode();
      if (key.equals(Key.slruSegmentSize(SlruKind.CLOG, 0))) return Directories.encodeSize(2);
      if (key.isSlruBlock() && key.slruKind() == SlruKind.CLOG) {
        long newest = Long.MIN_VALUE;
        for (var e : byLsn.headMap(lsn, true).values()) if (e[0] == key.blockNumber()) newest = e[1];
        if (newest == Long.MIN_VALUE) return new byte[Datadir.PAGE_SIZE];
        byte[] page = Arrays.copyOf(new byte[Datadir.PAGE_SIZE], Datadir.PAGE_SIZE + 8);
        ByteBuffer.wrap(page).putLong(Datadir.PAGE_SIZE, newest);
        return page;
      }
      return null;
    };
    return new Datadir(reader, 0);
  }

  @Test
  void aTimeBetweenCommitsGivesTheEndOfTheLastCommitBeforeIt() throws Exception {
    Datadir d = clog(20);
    assertEquals(new LsnByTimestamp.Answer(1700, LsnByTimestamp.Kind.PRESENT), LsnByTimestamp.find(d, 500, 5000, T0.plusMillis(7500)));
    assertEquals(new LsnByTimestamp.Answer(1700, LsnByTimestamp.Kind.PRESENT), LsnByTimestamp.find(d, 500, 5000, T0.plusSeconds(7)),
        "a commit exactly at the time is included");
    assertEquals(new LsnByTimestamp.Answer(1000, LsnByTimestamp.Kind.PRESENT), LsnByTimestamp.find(d, 500, 5000, T0));
  }

  @Test
  void beyondTheLastCommitIsFutureBeforeTheFirstIsPastAndNoCommitsIsNodata() throws Exception {
    Datadir d = clog(20);
    assertEquals(new LsnByTimestamp.Answer(5000, LsnByTimestamp.Kind.FUTURE), LsnByTimestamp.find(d, 500, 5000, T0.plusSeconds(60)));
    assertEquals(new LsnByTimestamp.Answer(500, LsnByTimestamp.Kind.PAST), LsnByTimestamp.find(d, 500, 5000, T0.minusSeconds(1)));
    assertEquals(new LsnByTimestamp.Answer(1500, LsnByTimestamp.Kind.PAST), LsnByTimestamp.find(d, 1500, 5000, T0.plusSeconds(2)),
        "history below the lower bound (the GC cutoff) is gone");
    assertEquals(new LsnByTimestamp.Answer(5000, LsnByTimestamp.Kind.NODATA), LsnByTimestamp.find(clog(0), 500, 5000, T0));
  }

  @Test
  void postgresTimestampsCountMicrosecondsFrom2000() {
    assertEquals(0, LsnByTimestamp.pgMicros(Instant.parse("2000-01-01T00:00:00Z")));
    assertEquals(86_400_000_001L, LsnByTimestamp.pgMicros(Instant.parse("2000-01-02T00:00:00.000001Z")));
  }
}
