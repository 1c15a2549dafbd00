package store.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;
import wire.xlog.encode.WalIdentity;
import wire.xlog.encode.WalStreamEncoder;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;
import wire.xlog.WalRecordEnds;

/**
 * A safekeeper timeline's WAL with its positions (safekeeper.md §5.2): bytes written, the end of the
 * last complete record written, and the end of the last complete record that is fsynced. Only
 * record ends are ever reported, so commit_lsn and flush_lsn always sit on record boundaries.
 * Appends must continue exactly where the last one ended; a truncation must follow a crash.
 */
public final class WalStore implements Closeable {
  private final WalSegments segments;
  private Lsn writeLsn = Lsn.INVALID;
  private Lsn writeRecordLsn = Lsn.INVALID;
  private Lsn flushRecordLsn = Lsn.INVALID;
  private Lsn flushedBytesLsn = Lsn.INVALID;
  private WalRecordEnds recordEnds;
  private boolean truncationPending = true;

  /** Refused WAL: out of order, overlapping, undecodable, or before the post-crash truncation. */
  public static final class RefusedAppend extends Exception {
    public RefusedAppend(String message) {
      super(message);
    }
  }

  private WalStore(WalSegments segments) {
    this.segments = segments;
  }

  /**
   * Opens a timeline's WAL and finds where it ends by decoding forward from {@code commitLsn}, a
   * known record start (§5.5), with the full decoder: a torn tail after a crash can have intact
   * headers and a payload that never reached the disk, which only the record CRC shows. With no
   * commit_lsn there is no WAL yet.
   */
  public static WalStore open(Path dir, long segmentSize, Lsn commitLsn) throws IOException {
    WalStore store = new WalStore(new WalSegments(dir, segmentSize));
    if (commitLsn.isValid()) {
      Lsn end = store.scanFrom(commitLsn);
      store.writeLsn = end;
      store.writeRecordLsn = end;
      store.flushRecordLsn = end;
      store.flushedBytesLsn = end;
    }
    return store;
  }

  private Lsn scanFrom(Lsn start) throws IOException {
    WalDecoder scan = WalDecoder.startingAt(start, segments.segmentSize());
    Lsn end = start;
    Lsn at = start;
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    while (true) {
      chunk.clear();
      int n = segments.read(at, chunk);
      if (n <= 0) break;
      byte[] copy = new byte[n];
      chunk.flip().get(copy);
      scan.feed(copy);
      at = at.plus(n);
      try {
        for (WalRecord r; (r = scan.next()) != null; ) end = r.endLsn();
      } catch (WalFormatException e) {
        break;   // torn or zeroed tail: the WAL ends at the last complete record
      }
    }
    return end;
  }

  public Lsn writeLsn() {
    return writeLsn;
  }

  /** End of the last complete record written (flushed or not). */
  public Lsn writeRecordLsn() {
    return writeRecordLsn;
  }

  /** End of the last complete record that is durable. */
  public Lsn flushLsn() {
    return flushRecordLsn;
  }

  public boolean truncationPending() {
    return truncationPending;
  }

  public WalSegments segments() {
    return segments;
  }

  /**
   * Writes WAL bytes {@code [begin, begin + wal.remaining())} from the caller's buffer (consumed);
   * not durable until {@link #flush()}. Record ends come from a walk of the page and record headers
   * ({@link WalRecordEnds}): WAL whose structure is broken is refused, record CRCs are not checked
   * here (the restart scan checks them, see {@link #open}).
   */
  public void append(Lsn begin, ByteBuffer wal) throws RefusedAppend, IOException {
    if (truncationPending) throw new RefusedAppend("WAL append at " + begin + " before the truncation that must follow election");
    if (writeLsn.isAfter(begin)) {
      throw new RefusedAppend("WAL append at " + begin + " rewrites WAL written up to " + writeLsn);
    }
    if (writeLsn.isBefore(begin) && writeLsn.isValid()) {
      throw new RefusedAppend("WAL append at " + begin + " leaves a gap after " + writeLsn);
    }
    if (!wal.hasRemaining()) return;
    int n = wal.remaining();
    try {
      recordEnds.feed(wal);
    } catch (WalFormatException e) {
      truncationPending = true;
      throw new RefusedAppend("WAL appended at " + begin + " does not decode: " + e.getMessage());
    }
    segments.write(begin, wal);
    writeLsn = begin.plus(n);
    if (recordEnds.lastRecordEnd().isValid()) writeRecordLsn = recordEnds.lastRecordEnd();
  }

  /** fdatasync; afterwards flushLsn covers every complete record written. */
  public void flush() throws IOException {
    segments.flush();
    flushRecordLsn = writeRecordLsn;
    flushedBytesLsn = writeLsn;
  }

  /** Whether bytes were written since the last flush. */
  public boolean hasUnflushedBytes() {
    return !flushedBytesLsn.equals(writeLsn);
  }

  /**
   * Cuts the WAL at {@code end}, a record boundary, and positions the next append there (§5.4).
   * Refuses to create a hole beyond the last complete record.
   */
  public void truncate(Lsn end, long systemId) throws IOException {
    boolean empty = !writeLsn.isValid();
    if (writeRecordLsn.isValid() && end.isAfter(writeRecordLsn)) {
      throw new IllegalArgumentException("truncation at " + end + " is beyond the last record end " + writeRecordLsn);
    }
    // The usual reconnect case cuts nothing; after a crash the tail may hold garbage, so always cut.
    boolean noop = !truncationPending && end.equals(writeLsn) && end.equals(flushRecordLsn);
    if (!noop) segments.truncate(end);
    if (empty && end.segmentOffset(segments.segmentSize()) > 0) writeSyntheticPrefix(end, systemId);
    writeLsn = end;
    writeRecordLsn = end;
    flushRecordLsn = end;
    flushedBytesLsn = end;
    recordEnds = WalRecordEnds.startingAt(end, segments.segmentSize());
    truncationPending = false;
  }

  /**
   * A timeline's first segment holds no real WAL before its start; page headers there (and the
   * continuation trick on the start's own page) keep pg_waldump and other readers working.
   */
  private void writeSyntheticPrefix(Lsn start, long systemId) throws IOException {
    WalIdentity id = new WalIdentity(systemId, 1, (int) segments.segmentSize());
    Lsn segStart = start.segmentStart(segments.segmentSize());
    byte[] prefix;
    if (start.pageOffset() == 0) {
      prefix = Arrays.copyOf(WalPageHeader.forPage(systemId, 1, segments.segmentSize(), segStart.value(), 0).encode(),
          (int) start.minus(segStart));
    } else {
      byte[] segment = WalStreamEncoder.withZeroPrefix(id, start).segments().get(0).bytes();
      prefix = Arrays.copyOf(segment, (int) start.minus(segStart));
    }
    segments.write(segStart, ByteBuffer.wrap(prefix));
    segments.flush();
  }

  /** Reads stored WAL at {@code at}; never past the end of at's segment; -1 if no file holds it. */
  public int read(Lsn at, ByteBuffer dst) throws IOException {
    return segments.read(at, dst);
  }

  @Override
  public void close() throws IOException {
    segments.close();
  }
}
