package wire.xlog;

import java.nio.ByteBuffer;
import wire.xlog.WalFormatException.Kind;

/**
 * Where WAL records end in a byte stream, found without assembling them: it walks the page headers
 * and each record's header and skips the payload. For a store that keeps WAL verbatim and only needs
 * record ends (a safekeeper, safekeeper.md §5.2). It makes {@link WalDecoder}'s structural checks
 * (page headers, contrecord flags and lengths, xl_tot_len, resource manager id, prev-link, timeline
 * order) and handles XLOG_SWITCH and overwritten contrecords the same way, but it checks no CRC and
 * parses no record body.
 *
 * <pre>
 * WalRecordEnds ends = WalRecordEnds.startingAt(lsn, segmentSize);
 * ends.feed(chunk);               // bytes at the end of what was fed; the buffer is not kept or moved
 * Lsn end = ends.lastRecordEnd(); // INVALID until a record is complete
 * </pre>
 *
 * Between feeds it keeps only the few bytes of a header that is not complete yet. After a
 * {@link WalFormatException} it stays failed.
 */
public final class WalRecordEnds {
  private static final int PAGE = Lsn.WAL_PAGE_SIZE;
  private static final int HEADER = XLogRecordFormat.HEADER_SIZE;
  /** Enough for the longest wait: a record header split by a long page header (16 + 40 + 16 bytes). */
  private static final int CARRY = 128;

  private final long segmentSize;
  private long systemId;
  private final TimelineOrder timelines = new TimelineOrder();
  private long prevRecord;
  private boolean prevKnown;
  private boolean skippingContinuation;
  private long lastEnd;
  private WalFormatException failure;

  private long pos;
  // the record being walked: its start (-1 between records), where its bytes on this page end, and
  // how many of its bytes are still to come on later pages
  private long recordStart = -1;
  private long bodyEnd;
  private long contLeft;
  private boolean inBody;
  private boolean isSwitch;
  /** The record header is split by a page boundary and is checked once its second part arrives. */
  private boolean headerPending;

  // bytes fed earlier that the walk still needs: [carryStart, carryStart + carryLen)
  private byte[] carry = new byte[CARRY];
  private byte[] spare = new byte[CARRY];
  private long carryStart;
  private int carryLen;
  private ByteBuffer chunk;
  private long chunkStart;
  private final byte[] scratch = new byte[WalPageHeader.LONG_SIZE];
  private final ByteBuffer scratchView = ByteBuffer.wrap(scratch).order(java.nio.ByteOrder.LITTLE_ENDIAN);

  private WalRecordEnds(long start, long segmentSize) {
    this.segmentSize = segmentSize;
    this.pos = start;
    this.chunkStart = start;
    this.carryStart = start;
    this.skippingContinuation = start % PAGE == 0;
  }

  /** As {@link WalDecoder#startingAt}: {@code start} is a page boundary or the start of a record. */
  public static WalRecordEnds startingAt(Lsn start, long segmentSize) {
    WalDecoder.startingAt(start, segmentSize);   // the same argument checks
    return new WalRecordEnds(start.value(), segmentSize);
  }

  /** The end of the last complete record fed (MAXALIGNed; a segment end after XLOG_SWITCH), or INVALID. */
  public Lsn lastRecordEnd() {
    return Lsn.of(lastEnd);
  }

  /** Walks the bytes {@code chunk.position()} to its limit, which continue the stream; the buffer is left as it was. */
  public void feed(ByteBuffer chunk) throws WalFormatException {
    if (failure != null) throw failure;
    long end = chunkStart + chunk.remaining();
    this.chunk = chunk;
    try {
      walk(end);
    } catch (WalFormatException e) {
      failure = e;
      throw e;
    }
    keepTail(end);
    this.chunk = null;
    chunkStart = end;
  }

  private void walk(long end) throws WalFormatException {
    while (true) {
      if (inBody) {
        if (end < bodyEnd) {
          pos = Math.max(pos, end);   // the payload read so far is not needed again
          return;
        }
        pos = bodyEnd;
        inBody = false;
        if (contLeft == 0) completeRecord();
        continue;   // on to the next record, or to the page that continues this one
      }
      boolean progressed = pos % PAGE == 0 ? enterPage(end) : startRecord(end);
      if (!progressed) return;
    }
  }

  private void completeRecord() {
    long end = (pos + 7) & ~7L;
    if (isSwitch) end = ((end + segmentSize - 1) / segmentSize) * segmentSize;
    prevRecord = recordStart;
    prevKnown = true;
    recordStart = -1;
    lastEnd = end;
    pos = end;
  }

  /** At a page boundary: validate the header and step past it into the record it continues, if any. */
  private boolean enterPage(long end) throws WalFormatException {
    if (end - pos < WalPageHeader.SHORT_SIZE) return false;
    int size = (Byte.toUnsignedInt(byteAt(pos + 3)) << 8 | Byte.toUnsignedInt(byteAt(pos + 2))) & WalPageHeader.LONG_HEADER;
    size = size != 0 ? WalPageHeader.LONG_SIZE : WalPageHeader.SHORT_SIZE;
    if (end - pos < size) return false;
    copy(pos, 0, size);
    WalPageHeader h = WalPageHeader.read(scratchView, 0);
    h.validate(pos, segmentSize, systemId);
    long dataStart = pos + h.size();
    if (recordStart >= 0) return continueRecord(h, dataStart, end);
    noteTimeline(h);
    PageEntry next = PageEntry.after(h, pos, skippingContinuation);
    pos = next.pos();
    skippingContinuation = next.skipping();
    return true;
  }

  private boolean continueRecord(WalPageHeader h, long dataStart, long end) throws WalFormatException {
    if (h.overwritesContrecord()) {
      // the record was never finished; a new record starts on this page, linked to the one before it
      noteTimeline(h);
      recordStart = -1;
      headerPending = false;
      if (h.continuesRecord()) {
        throw new WalFormatException(Kind.UNEXPECTED_CONTRECORD, Lsn.of(pos),
            "page continues a record of which " + h.remLen() + " bytes remain, but a new record was expected");
      }
      pos = dataStart;
      return true;
    }
    RecordChecks.continuation(h, pos, recordStart, contLeft);
    if (headerPending) {
      int first = (int) (PAGE - recordStart % PAGE);
      if (end - dataStart < HEADER - first) return false;   // this page is read again when the rest is in
      copy(recordStart, 0, first);
      copy(dataStart, first, HEADER - first);
      checkHeader(recordStart);
      headerPending = false;
    }
    noteTimeline(h);
    long take = Math.min(contLeft, PAGE - h.size());
    contLeft -= take;
    pos = dataStart;
    bodyEnd = dataStart + take;
    inBody = true;
    return true;
  }

  /** At a record start: check its length and (when on this page) its header, then skip its bytes. */
  private boolean startRecord(long end) throws WalFormatException {
    if (end - pos < 4) return false;
    long total = Integer.toUnsignedLong(intAt(pos));
    RecordChecks.length(pos, total, WalDecoder.DEFAULT_MAX_RECORD_LENGTH);
    int pageLeft = (int) (PAGE - pos % PAGE);
    if (pageLeft >= HEADER) {
      if (end - pos < HEADER) return false;
      copy(pos, 0, HEADER);
      checkHeader(pos);
    } else {
      headerPending = true;
    }
    recordStart = pos;
    if (total <= pageLeft) {
      bodyEnd = pos + total;
      contLeft = 0;
    } else {
      bodyEnd = pos + pageLeft;
      contLeft = total - pageLeft;
    }
    inBody = true;
    return true;
  }

  private void noteTimeline(WalPageHeader h) throws WalFormatException {
    if (h.isLong() && systemId == 0) systemId = h.systemId();
    timelines.note(pos, h);
  }

  /** The record header now in the scratch buffer: checked as WalDecoder checks it; notes an XLOG_SWITCH. */
  private void checkHeader(long recordLsn) throws WalFormatException {
    RecordChecks.header(scratchView, 0, recordLsn, prevKnown, prevRecord);
    isSwitch = XLogRecordFormat.isSwitch(scratchView, 0);
  }

  /** Keeps the bytes the walk will read again next time (an incomplete header); the rest of the chunk is not needed. */
  private void keepTail(long end) {
    long from = headerPending ? recordStart : pos;
    int n = (int) Math.max(0, end - from);
    if (n > CARRY) throw new IllegalStateException("WAL walk waits at " + Lsn.of(from) + " with " + n + " bytes unread");
    for (int i = 0; i < n; i++) spare[i] = byteAt(from + i);
    byte[] t = carry;
    carry = spare;
    spare = t;
    carryStart = from;
    carryLen = n;
  }

  private byte byteAt(long at) {
    if (at < chunkStart) return carry[(int) (at - carryStart)];
    return chunk.get(chunk.position() + (int) (at - chunkStart));
  }

  private int intAt(long at) {
    return Byte.toUnsignedInt(byteAt(at)) | Byte.toUnsignedInt(byteAt(at + 1)) << 8
        | Byte.toUnsignedInt(byteAt(at + 2)) << 16 | Byte.toUnsignedInt(byteAt(at + 3)) << 24;
  }

  private void copy(long from, int to, int len) {
    for (int i = 0; i < len; i++) scratch[to + i] = byteAt(from + i);
  }
}
