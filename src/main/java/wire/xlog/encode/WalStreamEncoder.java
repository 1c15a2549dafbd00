package wire.xlog.encode;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;
import wire.xlog.XLogRecordFormat;

/**
 * Lays records into the WAL stream from a page-aligned start: each record at the next 8-byte
 * boundary, split across pages and segments where needed, with a page header at every page start
 * (long on a segment's first page; XLP_FIRST_IS_CONTRECORD and {@code xlp_rem_len} when a record
 * continues onto it). {@link #segments()} turns the bytes into full, zero-filled segment files.
 * Not thread-safe; one owner builds one stream.
 */
public final class WalStreamEncoder {
  private final WalIdentity id;
  private final Lsn start;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private Lsn end;

  private WalStreamEncoder(WalIdentity id, Lsn start) {
    if (start.pageOffset() != 0) throw new IllegalArgumentException("the stream must start at a page boundary, not " + start);
    this.id = id;
    this.start = start;
    this.end = start;
  }

  /**
   * Continues real WAL: {@code existing} are the stream's bytes from {@code from} (a page start,
   * typically a segment start); the first new record goes at their 8-byte-aligned end.
   */
  public static WalStreamEncoder continuing(WalIdentity id, Lsn from, byte[] existing) {
    WalStreamEncoder e = new WalStreamEncoder(id, from);
    e.out.writeBytes(existing);
    e.end = from.plus(existing.length);
    return e;
  }

  /**
   * Starts at record position {@code x} with zeros before it on its page. That page's header
   * claims the zeros as the tail of a continued record (start-at-lsn.md, "contrecord trick"), so
   * that tools scanning for the first record on the page find {@code x}.
   */
  public static WalStreamEncoder withZeroPrefix(WalIdentity id, Lsn x) {
    requireRecordStart(id, x);
    Lsn page = x.pageStart();
    WalStreamEncoder e = new WalStreamEncoder(id, page);
    int header = headerSize(id, page);
    e.out.writeBytes(pageHeader(id, page, x.pageOffset() - header));
    e.out.writeBytes(new byte[x.pageOffset() - header]);
    e.end = x;
    return e;
  }

  /** Fails unless {@code x} is where a record can start: 8-aligned and past its page's header. */
  public static void requireRecordStart(WalIdentity id, Lsn x) {
    int header = headerSize(id, x.pageStart());
    if (x.value() % 8 != 0 || x.pageOffset() < header) {
      throw new IllegalArgumentException("not a record start position: " + x + " (must be 8-aligned and at least "
          + header + " bytes into its page)");
    }
  }

  /** Where the next record will start (the page header it may need not yet written). */
  public Lsn nextRecordStart() {
    Lsn aligned = end.maxAlign();
    return aligned.pageOffset() == 0 ? aligned.plus(headerSize(id, aligned)) : aligned;
  }

  /** Appends one encoded record (see {@link XLogRecordFormat#encode}) and returns its start LSN. */
  public Lsn append(byte[] record) {
    padTo(end.maxAlign());
    int written = 0;
    Lsn recordStart = null;
    while (written < record.length) {
      if (end.pageOffset() == 0) {
        out.writeBytes(pageHeader(id, end, written == 0 ? 0 : record.length - written));
        end = end.plus(headerSize(id, end));
      }
      if (recordStart == null) recordStart = end;
      int room = Lsn.WAL_PAGE_SIZE - end.pageOffset();
      int n = Math.min(room, record.length - written);
      out.write(record, written, n);
      written += n;
      end = end.plus(n);
    }
    return recordStart;
  }

  private static int headerSize(WalIdentity id, Lsn page) {
    return WalPageHeader.sizeOfPageAt(page.value(), id.segmentSize());
  }

  private static byte[] pageHeader(WalIdentity id, Lsn page, int remLen) {
    return WalPageHeader.forPage(id.systemId(), id.timeline(), id.segmentSize(), page.value(), remLen).encode();
  }

  private void padTo(Lsn target) {
    out.writeBytes(new byte[(int) target.minus(end)]);
    end = target;
  }

  public Lsn start() {
    return start;
  }

  /** The end of the last record written (not aligned). */
  public Lsn end() {
    return end;
  }

  /** The stream bytes from {@link #start()} to {@link #end()}. */
  public byte[] bytes() {
    return out.toByteArray();
  }

  /** A full WAL segment file: its name as PostgreSQL expects it, and {@code segmentSize} bytes. */
  public record Segment(long segmentNumber, String fileName, byte[] bytes) {}

  /**
   * The segment files covering the stream: zeros where no bytes were written, and on a segment's
   * first page a long header when the stream starts later in that segment (readers validate page
   * 0 whenever they open a segment, and take the segment size from it).
   */
  public List<Segment> segments() {
    long size = id.segmentSize();
    byte[] stream = bytes();
    List<Segment> result = new ArrayList<>();
    long last = end.value() == start.value() ? start.segmentNumber(size) : new Lsn(end.value() - 1).segmentNumber(size);
    for (long seg = start.segmentNumber(size); seg <= last; seg++) {
      byte[] file = new byte[(int) size];
      Lsn segStart = new Lsn(seg * size);
      if (start.isAfter(segStart)) {
        byte[] header = pageHeader(id, segStart, 0);
        System.arraycopy(header, 0, file, 0, header.length);
      }
      long from = Math.max(start.value(), segStart.value());
      long to = Math.min(end.value(), segStart.value() + size);
      System.arraycopy(stream, (int) (from - start.value()), file, (int) (from - segStart.value()), (int) (to - from));
      result.add(new Segment(seg, Lsn.segmentFileName(id.timeline(), seg, size), file));
    }
    return result;
  }
}
