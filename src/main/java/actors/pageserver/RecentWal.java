package actors.pageserver;

/**
 * The raw WAL bytes a timeline received in its current WAL segment, kept in memory so that a
 * basebackup can put the real bytes before its start LSN into the segment it ships
 * (reference start-at-lsn.md, case S2). Bytes before the first one received are unknown.
 *
 * <p>The bytes are copied into one segment-sized array, made at the first append and reused for
 * every later segment. Keeping the received chunks instead (no copy) held up to a segment of them
 * alive for seconds: every chunk was promoted to the old generation and a catch-up of a few hundred
 * MB ran full collections one after another (the copy costs about 10 µs per 128 KiB chunk).
 */
final class RecentWal {
  private final long segmentSize;
  private byte[] segment;         // bytes of [segmentStart, segmentStart + segmentSize); valid in [from, to)
  private long segmentStart = -1;
  private long from;
  private long to;

  RecentWal(long segmentSize) {
    if (segmentSize <= 0 || segmentSize > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("segment size " + segmentSize);
    this.segmentSize = segmentSize;
  }

  /** Appends bytes received at {@code start}; a gap, or a new segment, starts over. */
  void append(long start, byte[] chunk) {
    append(start, chunk, 0, chunk.length);
  }

  /** Appends {@code len} bytes of {@code chunk} from {@code off}, received at {@code start}. */
  synchronized void append(long start, byte[] chunk, int off, int len) {
    int done = 0;
    while (done < len) {
      long at = start + done;
      long seg = at - Long.remainderUnsigned(at, segmentSize);
      if (seg != segmentStart || at != to) {
        segmentStart = seg;
        from = at;
        to = at;
      }
      if (segment == null) segment = new byte[(int) segmentSize];
      int n = (int) Math.min(len - done, seg + segmentSize - at);
      System.arraycopy(chunk, off + done, segment, (int) (at - seg), n);
      to += n;
      done += n;
    }
  }

  /** The bytes of {@code [start, end)}, or null when not all of them were received. */
  synchronized byte[] read(long start, long end) {
    if (segmentStart < 0 || start < from || end > to || start > end) return null;
    byte[] out = new byte[(int) (end - start)];
    System.arraycopy(segment, (int) (start - segmentStart), out, 0, out.length);
    return out;
  }
}
