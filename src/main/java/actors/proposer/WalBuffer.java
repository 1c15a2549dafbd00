package actors.proposer;

import java.util.ArrayDeque;
import java.util.Deque;
import wire.xlog.Lsn;

/**
 * The proposer's window of WAL received from PostgreSQL and not yet released: bytes
 * {@code [start, end)} kept as the chunks they arrived in. Appends must be contiguous; reads copy
 * at most the requested number of bytes; trimming releases whole or partial chunks from the front.
 */
public final class WalBuffer {
  private record Chunk(Lsn start, byte[] data) {
    Lsn end() {
      return start.plus(data.length);
    }
  }

  private final Deque<Chunk> chunks = new ArrayDeque<>();
  private Lsn start;
  private Lsn end;
  private long size;

  public WalBuffer(Lsn start) {
    this.start = start;
    this.end = start;
  }

  public Lsn start() {
    return start;
  }

  public Lsn end() {
    return end;
  }

  /** Bytes held. */
  public long size() {
    return size;
  }

  /** Adds WAL that begins at {@code at}; bytes before {@link #end()} (a resent overlap) are skipped. */
  public void append(Lsn at, byte[] data) {
    if (at.isAfter(end)) {
      throw new IllegalArgumentException("WAL at " + at + " leaves a gap after the buffer's end " + end);
    }
    long skip = end.minus(at);
    if (skip >= data.length) return;
    byte[] fresh = skip == 0 ? data : java.util.Arrays.copyOfRange(data, (int) skip, data.length);
    chunks.addLast(new Chunk(end, fresh));
    end = end.plus(fresh.length);
    size += fresh.length;
  }

  /** Copies up to {@code max} bytes from {@code from}, which must lie in {@code [start, end]}. */
  public byte[] read(Lsn from, int max) {
    if (from.isBefore(start) || from.isAfter(end)) {
      throw new IllegalArgumentException("read at " + from + " outside the buffer [" + start + ", " + end + ")");
    }
    int n = (int) Math.min(max, end.minus(from));
    byte[] out = new byte[n];
    int filled = 0;
    for (Chunk c : chunks) {
      if (filled == n) break;
      if (!c.end().isAfter(from)) continue;
      long offset = Math.max(0, from.plus(filled).minus(c.start()));
      int take = (int) Math.min(c.data().length - offset, n - filled);
      System.arraycopy(c.data(), (int) offset, out, filled, take);
      filled += take;
    }
    return out;
  }

  /** Releases everything below {@code lsn} (capped at the end); never moves the start back. */
  public void trimTo(Lsn lsn) {
    Lsn target = Lsn.min(lsn, end);
    if (!target.isAfter(start)) return;
    while (!chunks.isEmpty() && !chunks.peekFirst().end().isAfter(target)) {
      size -= chunks.removeFirst().data().length;
    }
    if (!chunks.isEmpty() && chunks.peekFirst().start().isBefore(target)) {
      Chunk first = chunks.removeFirst();
      int cut = (int) target.minus(first.start());
      chunks.addFirst(new Chunk(target, java.util.Arrays.copyOfRange(first.data(), cut, first.data().length)));
      size -= cut;
    }
    start = target;
  }
}
