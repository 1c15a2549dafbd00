package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import store.pgdatadir.BasebackupException.BadWalPrefix;
import store.pgdatadir.BasebackupException.Inconsistent;
import store.pgdatadir.BasebackupException.MissingState;
import store.pgdatadir.BasebackupException.NotARecordStart;
import store.pgdatadir.BasebackupException.PrevNotBefore;
import store.pgdatadir.BasebackupException.SystemIdMismatch;
import wire.WireFormatException;
import wire.pgdata.CheckPoint;
import wire.pgdata.ControlFile;
import wire.xlog.Lsn;
import wire.xlog.WalFormatException;
import wire.xlog.WalPageHeader;
import wire.xlog.encode.ShutdownCheckpoint;
import wire.xlog.encode.WalIdentity;
import wire.xlog.encode.WalStreamEncoder;

/**
 * Where and how a compute starts: the shutdown checkpoint record at L' (L aligned, past a page
 * header), pg_control pointing at it, and the WAL segment(s) holding it (start-at-lsn.md, the
 * recipe). Everything is computed before the first tar byte so a bad request writes nothing.
 *
 * @param recordStart L', where the checkpoint record starts and the compute's WAL continues
 * @param checkpoint the CheckPoint in the record and in pg_control, with {@code redo = L'}
 * @param controlFile the 8192 bytes of {@code global/pg_control}
 * @param walSegments the full segment files, the one holding L' first
 */
public record ShutdownPoint(Lsn recordStart, CheckPoint checkpoint, byte[] controlFile,
    List<WalStreamEncoder.Segment> walSegments) {

  /**
   * Where a record goes that follows WAL ending at {@code end}: aligned to 8, and past the page
   * header when that lands on a page start (long header at a segment start).
   */
  public static Lsn recordStartAfter(Lsn end, long segmentSize) {
    Lsn aligned = end.maxAlign();
    return aligned.pageOffset() == 0 ? aligned.plus(WalPageHeader.sizeOfPageAt(aligned.value(), segmentSize)) : aligned;
  }

  static ShutdownPoint plan(Datadir dd, BasebackupParams p, long nowSeconds) throws IOException {
    Lsn lsn = p.lsn();
    ControlFile stored = decodeControl(dd.controlFile(), lsn);
    CheckPoint cp = decodeCheckpoint(dd.checkpoint(), lsn);
    if (p.systemId() != 0 && p.systemId() != stored.systemIdentifier()) {
      throw new SystemIdMismatch(p.systemId(), stored.systemIdentifier());
    }
    int segSize = stored.build().xlogSegSize();
    WalIdentity id = new WalIdentity(stored.systemIdentifier(), cp.thisTimeLineId(), segSize);
    Lsn x = recordStartAfter(lsn, segSize);
    if (x.pageOffset() < WalPageHeader.sizeOfPageAt(x.pageStart().value(), segSize)) throw new NotARecordStart(lsn, x);
    if (!p.prevRecordLsn().isBefore(x)) throw new PrevNotBefore(p.prevRecordLsn(), x);

    int oldestActive = p.readOnly() ? oldestActiveXid(cp, dd) : 0;   // PostgreSQL writes 0 in shutdown checkpoints
    CheckPoint start = withOldestActiveXid(cp.withRedo(x).withTime(nowSeconds), oldestActive);
    byte[] control = stored.shutDownAt(start).encode();
    return new ShutdownPoint(x, start, control, segments(id, start, p, lsn));
  }

  /**
   * The segments: real WAL from the segment start (else from L's page start) up to L when the
   * source has it, else zeros before L' with the contrecord trick.
   */
  private static List<WalStreamEncoder.Segment> segments(WalIdentity id, CheckPoint cp, BasebackupParams p, Lsn lsn)
      throws IOException {
    Lsn x = cp.redo();
    Lsn prev = p.prevRecordLsn();
    Lsn segment = x.segmentStart(id.segmentSize());
    for (Lsn from : segment.equals(x.pageStart()) ? List.of(segment) : List.of(segment, x.pageStart())) {
      if (!from.isBefore(lsn)) break;   // nothing real precedes L' on its page
      byte[] bytes = p.walPrefix().bytes(from.value(), lsn.value());
      if (bytes == null) continue;
      checkPrefix(id, from, lsn, bytes);
      return ShutdownCheckpoint.segmentsContinuing(id, cp, prev, from, bytes);
    }
    return ShutdownCheckpoint.segmentsWithZeroPrefix(id, cp, prev);
  }

  /** The prefix must be the stream itself: its length, and a valid header on every page it starts. */
  private static void checkPrefix(WalIdentity id, Lsn from, Lsn to, byte[] bytes) throws BadWalPrefix {
    if (bytes.length != to.minus(from)) throw new BadWalPrefix(from, to, bytes.length + " bytes returned");
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (long page = from.value(); page < to.value(); page += Lsn.WAL_PAGE_SIZE) {
      int at = (int) (page - from.value());
      int size = WalPageHeader.sizeOfPageAt(page, id.segmentSize());
      if (at + size > bytes.length) throw new BadWalPrefix(from, to, "ends inside the page header at " + Lsn.of(page));
      try {
        WalPageHeader h = WalPageHeader.read(b, at);
        h.validate(page, id.segmentSize(), id.systemId());
        if (Integer.compareUnsigned(h.timeline(), id.timeline()) > 0) {
          throw new BadWalPrefix(from, to, "page " + Lsn.of(page) + " is on timeline " + h.timeline() + ", after " + id.timeline());
        }
      } catch (WalFormatException e) {
        throw new BadWalPrefix(from, to, e.getMessage());
      }
    }
  }

  /**
   * What a hot standby needs as the oldest running xid: nothing runs after a shutdown except
   * prepared transactions, so the oldest of them, or nextXid (pageserver.md §3.3).
   */
  private static int oldestActiveXid(CheckPoint cp, Datadir dd) throws IOException {
    int oldest = cp.nextXidValue();
    for (int xid : dd.twoPhaseXids().numbers()) {
      if (xid - oldest < 0) oldest = xid;   // TransactionIdPrecedes: modulo-2^32 comparison
    }
    return oldest;
  }

  private static CheckPoint withOldestActiveXid(CheckPoint c, int xid) {
    return new CheckPoint(c.redo(), c.thisTimeLineId(), c.prevTimeLineId(), c.fullPageWrites(), c.nextXid(), c.nextOid(),
        c.nextMulti(), c.nextMultiOffset(), c.oldestXid(), c.oldestXidDb(), c.oldestMulti(), c.oldestMultiDb(), c.time(),
        c.oldestCommitTsXid(), c.newestCommitTsXid(), xid);
  }

  private static ControlFile decodeControl(byte[] bytes, Lsn lsn) throws IOException {
    if (bytes == null) throw new MissingState("control file", lsn);
    try {
      return ControlFile.decode(bytes);
    } catch (WireFormatException e) {
      throw new Inconsistent("stored control file: " + e.getMessage(), lsn);
    }
  }

  private static CheckPoint decodeCheckpoint(byte[] bytes, Lsn lsn) throws IOException {
    if (bytes == null) throw new MissingState("checkpoint", lsn);
    try {
      return CheckPoint.decode(bytes);
    } catch (WireFormatException e) {
      throw new Inconsistent("stored checkpoint: " + e.getMessage(), lsn);
    }
  }
}
