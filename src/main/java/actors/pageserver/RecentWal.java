package actors.pageserver;

import java.util.ArrayList;
import java.util.List;

/**
 * The raw WAL bytes a timeline received in its current WAL segment, kept in memory so that a
 * basebackup can put the real bytes before its start LSN into the segment it ships
 * (reference start-at-lsn.md, case S2). Bytes before the first one received are unknown.
 *
 * <p>The chunks are kept as received, not copied into one growing array: ingest hands every chunk
 * over once and never changes it, and a copy per chunk cost more than the ingest of some records.
 */
final class RecentWal {
  /** {@code len} bytes of {@code array} from {@code off}, which were received at {@code lsn}. */
  private record Piece(long lsn, byte[] array, int off, int len) {}

  private final long segmentSize;
  private final List<Piece> pieces = new ArrayList<>();
  private long segmentStart = -1;
  private long from;
  private long to;

  RecentWal(long segmentSize) {
    this.segmentSize = segmentSize;
  }

  /**
   * Appends bytes received at {@code start}; a gap, or a new segment, starts over. The array is kept,
   * not copied: the caller must not change it afterwards.
   */
  synchronized void append(long start, byte[] chunk) {
    int off = 0;
    while (off < chunk.length) {
      long at = start + off;
      long seg = at - Long.remainderUnsigned(at, segmentSize);
      if (seg != segmentStart || at != to) {
        segmentStart = seg;
        from = at;
        to = at;
        pieces.clear();
      }
      int n = (int) Math.min(chunk.length - off, seg + segmentSize - at);
      pieces.add(new Piece(at, chunk, off, n));
      to += n;
      off += n;
    }
  }

  /** The bytes of {@code [start, end)}, or null when not all of them were received. */
  synchronized byte[] read(long start, long end) {
    if (segmentStart < 0 || start < from || end > to || start > end) return null;
    byte[] out = new byte[(int) (end - start)];
    for (Piece p : pieces) {
      long lo = Math.max(start, p.lsn());
      long hi = Math.min(end, p.lsn() + p.len());
      if (lo < hi) System.arraycopy(p.array(), p.off() + (int) (lo - p.lsn()), out, (int) (lo - start), (int) (hi - lo));
    }
    return out;
  }
}
