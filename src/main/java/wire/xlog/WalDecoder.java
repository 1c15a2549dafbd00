package wire.xlog;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Turns a WAL byte stream into records, as PostgreSQL's xlogreader does: fed chunks of any size
 * from any start position, it checks every page header, reassembles records across pages and
 * segments, checks lengths, prev-links and CRCs, and yields each record with its start and end
 * LSN. Pure and single-threaded; it keeps only the bytes of the record it is waiting for.
 *
 * <pre>
 * WalDecoder decoder = WalDecoder.startingAt(lsn, Lsn.DEFAULT_SEGMENT_SIZE);
 * decoder.feed(chunk);                     // bytes at decoder.fedUpTo(); not copied, do not modify them
 * for (WalRecord r; (r = decoder.next()) != null; ) { ... }   // null: feed more
 * </pre>
 *
 * A start on a page boundary skips the tail of a record that began on an earlier page; any other
 * start must be the first byte of a record. After a {@link WalFormatException} the decoder stays
 * failed and {@link #next()} throws the same error again.
 */
public final class WalDecoder {
  public static final int DEFAULT_MAX_RECORD_LENGTH = 1 << 30;
  private static final int PAGE = Lsn.WAL_PAGE_SIZE;

  private final long segmentSize;
  private final WalInput input;
  private final CRC32C crc = new CRC32C();
  private final byte[] headerScratch = new byte[WalPageHeader.LONG_SIZE];
  private long systemId;
  private int maxRecordLength = DEFAULT_MAX_RECORD_LENGTH;
  private long returnFrom;

  private long pos;
  private long prevRecord;
  private boolean prevKnown;
  private boolean skippingContinuation;
  private final TimelineOrder timelines = new TimelineOrder();
  private WalFormatException failure;

  // progress through the continuation pages of the record at pos, kept across feeds
  private long scanRecord = -1;
  private long scanPage;
  private long scanGot;
  private long scanEnd;

  private WalDecoder(long start, long segmentSize) {
    this.segmentSize = segmentSize;
    this.input = new WalInput(start);
    this.pos = start;
    this.returnFrom = start;
    this.skippingContinuation = start % PAGE == 0;
  }

  /**
   * A decoder for a stream whose first byte is at {@code start}: a page boundary, or the start of a
   * record (MAXALIGNed, past the page header).
   */
  public static WalDecoder startingAt(Lsn start, long segmentSize) {
    if (segmentSize < PAGE || Long.bitCount(segmentSize) != 1) {
      throw new IllegalArgumentException("segment size " + segmentSize + " is not a power of two of at least " + PAGE);
    }
    long v = start.value();
    if (v % PAGE != 0 && (v % 8 != 0 || v % PAGE < WalPageHeader.SHORT_SIZE)) {
      throw new IllegalArgumentException("WAL stream cannot start at " + start + ": not a page boundary or a record start");
    }
    return new WalDecoder(v, segmentSize);
  }

  /** Records starting before lsn are checked but not returned (xlogreader's XLogFindNextRecord). */
  public WalDecoder skipRecordsBefore(Lsn lsn) {
    this.returnFrom = lsn.value();
    return this;
  }

  /** The start of the record before the first one; its xl_prev must equal it. */
  public WalDecoder expectPrev(Lsn prev) {
    this.prevRecord = prev.value();
    this.prevKnown = true;
    return this;
  }

  /** Long page headers must carry this system id; by default the first one seen is used. */
  public WalDecoder expectSystemId(long id) {
    this.systemId = id;
    return this;
  }

  /** Longer records fail with RECORD_TOO_LONG instead of being buffered. */
  public WalDecoder maxRecordLength(int bytes) {
    this.maxRecordLength = bytes;
    return this;
  }

  /** Appends bytes that continue the stream at {@link #fedUpTo()}. The decoder keeps views of them. */
  public void feed(ByteBuffer chunk) {
    input.append(chunk);
  }

  public void feed(byte[] chunk) {
    input.append(ByteBuffer.wrap(chunk));
  }

  /** The LSN after the last byte fed. */
  public Lsn fedUpTo() {
    return Lsn.of(input.end());
  }

  /** Where the next record (or page header) will be read: the end LSN of the last record. */
  public Lsn position() {
    return Lsn.of(pos);
  }

  /** The start of the last record read, or the expected prev-link before any. */
  public Lsn lastRecordLsn() {
    return Lsn.of(prevRecord);
  }

  public long segmentSize() {
    return segmentSize;
  }

  /** The next complete record, or null when more bytes must be fed first. */
  public WalRecord next() throws WalFormatException {
    if (failure != null) throw failure;
    try {
      return step();
    } catch (WalFormatException e) {
      failure = e;
      throw e;
    }
  }

  private WalRecord step() throws WalFormatException {
    while (true) {
      if (pos % PAGE == 0) {
        if (!enterPage()) return null;
        continue;
      }
      long recordLsn = pos;
      long available = input.end() - pos;
      int pageLeft = (int) (PAGE - pos % PAGE);
      boolean headerOnPage = pageLeft >= XLogRecordFormat.HEADER_SIZE;
      // xl_tot_len is always on this page: records start MAXALIGNed, so 8 or more bytes remain
      if (available < 4) return null;
      long totalLength = Integer.toUnsignedLong(input.intAt(pos));
      RecordChecks.length(recordLsn, totalLength, maxRecordLength);
      int length = (int) totalLength;
      ByteBuffer rec;
      ByteBuffer cursor;
      int base = 0;
      long after;
      if (totalLength <= pageLeft) {
        if (available < totalLength) {
          if (available >= XLogRecordFormat.HEADER_SIZE) RecordChecks.header(input.read(pos, XLogRecordFormat.HEADER_SIZE), 0, recordLsn, prevKnown, prevRecord);
          return null;
        }
        base = input.indexInHead(pos, length);
        if (base >= 0) {
          // the usual case: the record is read where it lies, no view or copy made
          rec = input.head();
          cursor = input.headCursor();
        } else {
          rec = input.read(pos, length);
          cursor = rec.duplicate();
          base = 0;
        }
        RecordChecks.header(rec, base, recordLsn, prevKnown, prevRecord);
        after = pos + totalLength;
      } else {
        if (headerOnPage) {
          if (available < XLogRecordFormat.HEADER_SIZE) return null;
          RecordChecks.header(input.read(pos, XLogRecordFormat.HEADER_SIZE), 0, recordLsn, prevKnown, prevRecord);
        }
        Continuation c = scanContinuation(recordLsn, totalLength);
        if (c == Continuation.OVERWRITTEN) continue;
        if (c == Continuation.INCOMPLETE || input.end() < scanEnd) return null;
        rec = cursor = assemble(recordLsn, length);
        after = scanEnd;
        if (!headerOnPage) RecordChecks.header(rec, 0, recordLsn, prevKnown, prevRecord);
      }
      XLogRecordFormat.checkCrc(rec, cursor, base, length, crc, recordLsn);
      long end = (after + 7) & ~7L;
      if (XLogRecordFormat.isSwitch(rec, base)) end = ((end + segmentSize - 1) / segmentSize) * segmentSize;
      WalRecord record = XLogRecordFormat.decode(rec, base, length, recordLsn, end);
      prevRecord = recordLsn;
      prevKnown = true;
      pos = end;
      input.discardBefore(pos);
      if (Long.compareUnsigned(recordLsn, returnFrom) >= 0) return record;
    }
  }

  /** At a page boundary: validate the header and step past it (and past a skipped continuation). */
  private boolean enterPage() throws WalFormatException {
    WalPageHeader h = pageHeader(pos);
    if (h == null) return false;
    PageEntry next = PageEntry.after(h, pos, skippingContinuation);
    pos = next.pos();
    skippingContinuation = next.skipping();
    input.discardBefore(pos);
    return true;
  }

  private enum Continuation { COMPLETE, INCOMPLETE, OVERWRITTEN }

  /**
   * Checks the continuation pages of the record at recordLsn that have arrived, resuming where the
   * last call stopped, so that a bad page fails early instead of waiting for the whole record.
   */
  private Continuation scanContinuation(long recordLsn, long totalLength) throws WalFormatException {
    if (scanRecord != recordLsn) {
      scanRecord = recordLsn;
      scanGot = PAGE - recordLsn % PAGE;
      scanPage = recordLsn - recordLsn % PAGE + PAGE;
    }
    while (scanGot < totalLength) {
      WalPageHeader h = pageHeader(scanPage);
      if (h == null) return Continuation.INCOMPLETE;
      if (h.overwritesContrecord()) {
        // the record was never finished; a new record starts on this page with the old prev-link
        scanRecord = -1;
        pos = scanPage;
        input.discardBefore(pos);
        return Continuation.OVERWRITTEN;
      }
      long left = totalLength - scanGot;
      RecordChecks.continuation(h, scanPage, recordLsn, left);
      long take = Math.min(left, PAGE - h.size());
      scanGot += take;
      scanEnd = scanPage + h.size() + take;
      scanPage += PAGE;
    }
    return Continuation.COMPLETE;
  }

  /** Copies a record's fragments, between the page headers, into one buffer. */
  private ByteBuffer assemble(long recordLsn, int totalLength) {
    byte[] out = new byte[totalLength];
    int got = (int) (PAGE - recordLsn % PAGE);
    input.copy(recordLsn, out, 0, got);
    long page = recordLsn - recordLsn % PAGE + PAGE;
    while (got < totalLength) {
      int headerSize = WalPageHeader.sizeOfPageAt(page, segmentSize);
      int take = Math.min(totalLength - got, PAGE - headerSize);
      input.copy(page + headerSize, out, got, take);
      got += take;
      page += PAGE;
    }
    scanRecord = -1;
    return ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** The validated header of the page at pageLsn, or null if its bytes have not arrived. */
  private WalPageHeader pageHeader(long pageLsn) throws WalFormatException {
    if (input.end() - pageLsn < WalPageHeader.SHORT_SIZE) return null;
    ByteBuffer scratch = ByteBuffer.wrap(headerScratch);
    input.copy(pageLsn, headerScratch, 0, WalPageHeader.SHORT_SIZE);
    int size = WalPageHeader.sizeAt(scratch, 0);
    if (size > WalPageHeader.SHORT_SIZE) {
      if (input.end() - pageLsn < size) return null;
      input.copy(pageLsn, headerScratch, 0, size);
    }
    WalPageHeader h = WalPageHeader.read(scratch, 0);
    h.validate(pageLsn, segmentSize, systemId);
    if (h.isLong() && systemId == 0) systemId = h.systemId();
    timelines.note(pageLsn, h);
    return h;
  }
}
