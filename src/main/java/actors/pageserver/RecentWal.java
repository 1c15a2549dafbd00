package actors.pageserver;

import java.util.Arrays;

/**
 * The raw WAL bytes a timeline received in its current WAL segment, kept in memory so that a
 * basebackup can put the real bytes before its start LSN into the segment it ships
 * (reference start-at-lsn.md, case S2). Bytes before the first one received are unknown.
 */
final class RecentWal {
  private final long segmentSize;
  private long segmentStart = -1;
  private long from;
  private long to;
  private byte[] bytes = new byte[0];

  RecentWal(long segmentSize) {
    this.segmentSize = segmentSize;
  }

  /** Appends bytes received at {@code start}; a gap, or a new segment, starts over. */
  synchronized void append(long start, byte[] chunk) {
    int off = 0;
    while (off < chunk.length) {
      long at = start + off;
      long seg = at - Long.remainderUnsigned(at, segmentSize);
      if (seg != segmentStart || at != to) {
        segmentStart = seg;
        from = at;
        to = at;
        bytes = new byte[0];
      }
      int n = (int) Math.min(chunk.length - off, seg + segmentSize - at);
      int used = (int) (to - from);
      if (used + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(used + n, Math.min((int) segmentSize, bytes.length * 2 + n)));
      System.arraycopy(chunk, off, bytes, used, n);
      to += n;
      off += n;
    }
  }

  /** The bytes of {@code [start, end)}, or null when not all of them were received. */
  synchronized byte[] read(long start, long end) {
    if (segmentStart < 0 || start < from || end > to || start > end) return null;
    return Arrays.copyOfRange(bytes, (int) (start - from), (int) (end - from));
  }
}
