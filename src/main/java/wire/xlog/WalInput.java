package wire.xlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * The bytes fed to a {@link WalDecoder} that it has not consumed yet, addressed by LSN. Chunks are
 * kept as given (no copy), so records inside one chunk can be handed out as views of it.
 */
final class WalInput {
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
  private long headLsn;
  private long endLsn;
  // the first chunk, held apart from the deque: the decoder asks for it once or twice per record
  private ByteBuffer head;
  private long headEnd;
  private ByteBuffer headCursor; // a duplicate of head whose position and limit the decoder may move

  WalInput(long startLsn) {
    this.headLsn = startLsn;
    this.endLsn = startLsn;
  }

  /** Appends the chunk's remaining bytes, which sit at {@link #end()}; takes no copy. */
  void append(ByteBuffer chunk) {
    if (!chunk.hasRemaining()) return;
    ByteBuffer c = chunk.slice().order(ByteOrder.LITTLE_ENDIAN);
    chunks.addLast(c);
    endLsn += c.limit();
    if (head == null) setHead();
  }

  private void setHead() {
    head = chunks.peekFirst();
    headEnd = head == null ? headLsn : headLsn + head.limit();
    headCursor = head == null ? null : head.duplicate();
  }

  /** The LSN after the last byte fed. */
  long end() {
    return endLsn;
  }

  /** Forgets whole chunks that end at or before lsn. */
  void discardBefore(long lsn) {
    while (head != null && headEnd <= lsn) {
      headLsn += chunks.removeFirst().limit();
      setHead();
    }
  }

  /** The first chunk: the fast path reads records in place, at {@link #indexInHead}. */
  ByteBuffer head() {
    return head;
  }

  /** A duplicate of {@link #head()} for reads that move position and limit (the CRC). */
  ByteBuffer headCursor() {
    return headCursor;
  }

  /** The index of lsn in the first chunk if [lsn, lsn+length) lies inside it, else -1. */
  int indexInHead(long lsn, int length) {
    return lsn >= headLsn && lsn + length <= headEnd ? (int) (lsn - headLsn) : -1;
  }

  /** A little-endian view of [lsn, lsn+length) if it lies inside one chunk, else null. */
  ByteBuffer viewIfContiguous(long lsn, int length) {
    long chunkStart = headLsn;
    for (ByteBuffer c : chunks) {
      long chunkEnd = chunkStart + c.limit();
      if (lsn < chunkEnd) {
        if (lsn < chunkStart || lsn + length > chunkEnd) return null;
        return c.slice((int) (lsn - chunkStart), length).order(ByteOrder.LITTLE_ENDIAN);
      }
      chunkStart = chunkEnd;
    }
    return null;
  }

  /** The little-endian u32 at lsn, which must have been fed. */
  int intAt(long lsn) {
    int i = indexInHead(lsn, 4);
    if (i >= 0) return head.getInt(i);
    byte[] b = new byte[4];
    copy(lsn, b, 0, 4);
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** Copies [lsn, lsn+length), which must have been fed and not discarded, into dst. */
  void copy(long lsn, byte[] dst, int offset, int length) {
    long chunkStart = headLsn;
    for (ByteBuffer c : chunks) {
      long chunkEnd = chunkStart + c.limit();
      if (length == 0) return;
      if (lsn < chunkEnd) {
        int from = (int) (lsn - chunkStart);
        int n = (int) Math.min(length, chunkEnd - lsn);
        c.get(from, dst, offset, n);
        lsn += n;
        offset += n;
        length -= n;
      }
      chunkStart = chunkEnd;
    }
    if (length > 0) throw new IllegalStateException("bytes at " + Lsn.of(lsn) + " were not fed or already discarded");
  }

  /** A little-endian buffer holding [lsn, lsn+length): a view when possible, else a copy. */
  ByteBuffer read(long lsn, int length) {
    ByteBuffer view = viewIfContiguous(lsn, length);
    if (view != null) return view;
    byte[] copy = new byte[length];
    copy(lsn, copy, 0, length);
    return ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
  }
}
