package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.WireFormatException;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.Clog;
import wire.pgdata.ForkNumber;
import wire.pgdata.MultiXactSlru;
import wire.pgdata.RelFileNode;
import wire.pgdata.Slru;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.ClogRecord;
import wire.xlog.rmgr.MultiXactRecord;
import wire.xlog.rmgr.XactRecord;

/** What CLOG, XACT and MULTIXACT records mean for the SLRUs, prepared transactions and dropped relations (§3.3). */
final class SlruIngest {
  private static final Logger LOG = LoggerFactory.getLogger(SlruIngest.class);
  private static final int PAGE_SIZE = 8192;
  /** MXOffsetToMemberSegment(MaxMultiXactOffset): where member segment numbers wrap to 0. */
  private static final int MAX_MEMBERS_SEGMENT = MultiXactSlru.membersPage(0xFFFFFFFF) / Slru.PAGES_PER_SEGMENT;

  private SlruIngest() {}

  static void clog(WalRecord rec, DatadirModification m, TrackedCheckpoint cp) throws IOException, WireFormatException {
    ClogRecord r = ClogRecord.parse(rec.info(), rec.mainData());
    if (r instanceof ClogRecord.ZeroPage z) {
      zeroPage(m, SlruKind.CLOG, z.pageno());
    } else if (r instanceof ClogRecord.Truncate t) {
      cp.setOldestXid(t.oldestXact(), t.oldestXactDb());
      cp.markModified();
      // SimpleLruTruncate: refuse when the newest page would itself be removed
      int latestPage = Clog.pageOf(cp.value().nextXidValue());
      if (SlruOrder.clogPagePrecedes(latestPage, t.pageno())) {
        LOG.warn("CLOG truncation skipped: apparent wraparound lsn={} pageno={} latest_page={}", rec.lsn(), t.pageno(), latestPage);
        return;
      }
      for (int segno : m.slruSegments(SlruKind.CLOG).numbers()) {
        if (SlruOrder.mayDeleteSegment(segno, t.pageno(), SlruOrder::clogPagePrecedes)) m.dropSlruSegment(SlruKind.CLOG, segno);
      }
    }
  }

  /**
   * Commit and abort set the status of the xid and its subtransactions, one value per CLOG page;
   * dropped relations lose every fork; a finished prepared transaction loses its state file.
   * PREPARE stores the record's main data, which is the state file's body.
   */
  static void xact(WalRecord rec, DatadirModification m) throws IOException, WireFormatException {
    XactRecord r = XactRecord.parse(rec.info(), rec.mainData());
    if (r instanceof XactRecord.Prepare) {
      byte[] state = new byte[rec.mainDataLength()];
      rec.mainData().get(state);
      m.putTwoPhase(rec.xid(), state);
      return;
    }
    if (!(r instanceof XactRecord.Completion c)) return;
    boolean twoPhase = (c.xinfo() & XactRecord.XINFO_HAS_TWOPHASE) != 0;
    int xid = twoPhase ? c.twophaseXid() : rec.xid();
    List<Integer> xids = new ArrayList<>(1 + c.subxacts().size());
    xids.add(xid);
    xids.addAll(c.subxacts());
    int from = 0;
    for (int i = 1; i <= xids.size(); i++) {
      if (i == xids.size() || Clog.pageOf(xids.get(i)) != Clog.pageOf(xids.get(from))) {
        setStatus(m, xids.subList(from, i), c.kind().isCommit(), c.xactTime());
        from = i;
      }
    }
    for (RelFileNode node : c.droppedRelations()) {
      for (ForkNumber fork : ForkNumber.values()) m.dropRelation(node.fork(fork));
    }
    if (c.kind() == XactRecord.Kind.COMMIT_PREPARED || c.kind() == XactRecord.Kind.ABORT_PREPARED) m.dropTwoPhase(xid);
  }

  private static void setStatus(DatadirModification m, List<Integer> xids, boolean commit, long time) {
    int page = Clog.pageOf(xids.get(0));
    int[] array = xids.stream().mapToInt(Integer::intValue).toArray();
    Value v = commit ? new Value.ClogSetCommitted(array, time) : new Value.ClogSetAborted(array);
    m.put(Key.slruBlock(SlruKind.CLOG, Slru.segmentOf(page), Slru.pageInSegment(page)), v);
  }

  static void multixact(WalRecord rec, DatadirModification m, TrackedCheckpoint cp) throws IOException, WireFormatException {
    MultiXactRecord r = MultiXactRecord.parse(rec.info(), rec.mainData());
    if (r instanceof MultiXactRecord.ZeroOffsetsPage z) {
      zeroPage(m, SlruKind.MULTIXACT_OFFSETS, z.pageno());
    } else if (r instanceof MultiXactRecord.ZeroMembersPage z) {
      zeroPage(m, SlruKind.MULTIXACT_MEMBERS, z.pageno());
    } else if (r instanceof MultiXactRecord.CreateId c) {
      createMultiXact(m, cp, c);
    } else if (r instanceof MultiXactRecord.TruncateId t) {
      truncateMultiXact(m, cp, t);
    }
  }

  /** The offset on its offsets page, then the members, one value per members page (offsets wrap around). */
  private static void createMultiXact(DatadirModification m, TrackedCheckpoint cp, MultiXactRecord.CreateId c) throws IOException {
    int offPage = MultiXactSlru.offsetsPage(c.mid());
    List<MultiXactRecord.Member> members = c.members();
    // PostgreSQL (15.14+) also sets the next multixact's offset to the end of these members.
    int next = c.mid() + 1 == 0 ? 1 : c.mid() + 1;
    int nextOffset = c.moff() + members.size() == 0 ? 1 : c.moff() + members.size();
    int nextPage = MultiXactSlru.offsetsPage(next);
    m.put(Key.slruBlock(SlruKind.MULTIXACT_OFFSETS, Slru.segmentOf(offPage), Slru.pageInSegment(offPage)),
        new Value.MultixactOffsetCreate(c.mid(), c.moff(), nextPage == offPage ? nextOffset : 0));
    if (nextPage != offPage && m.slruSegmentSizeOrMinusOne(SlruKind.MULTIXACT_OFFSETS, Slru.segmentOf(nextPage))
        > Slru.pageInSegment(nextPage)) {
      m.put(Key.slruBlock(SlruKind.MULTIXACT_OFFSETS, Slru.segmentOf(nextPage), Slru.pageInSegment(nextPage)),
          new Value.MultixactOffsetCreate(next, nextOffset));
    }
    int offset = c.moff();
    int done = 0;
    while (done < members.size()) {
      int page = MultiXactSlru.membersPage(offset);
      int room = MultiXactSlru.MEMBERS_PER_PAGE - (int) (Integer.toUnsignedLong(offset) % MultiXactSlru.MEMBERS_PER_PAGE);
      int n = Math.min(room, members.size() - done);
      int[] xids = new int[n];
      int[] statuses = new int[n];
      for (int i = 0; i < n; i++) {
        xids[i] = members.get(done + i).xid();
        statuses[i] = members.get(done + i).status().ordinal();
      }
      m.put(Key.slruBlock(SlruKind.MULTIXACT_MEMBERS, Slru.segmentOf(page), Slru.pageInSegment(page)),
          new Value.MultixactMembersCreate(offset, xids, statuses));
      offset += n;
      done += n;
    }
    cp.advanceNextMulti(c.mid() + 1, offset);
    // multixact_redo does the same: nextXid must pass every member
    Integer maxXid = null;
    for (MultiXactRecord.Member mb : members) {
      if (maxXid == null || mb.xid() - maxXid > 0) maxXid = mb.xid();
    }
    if (maxXid != null) cp.advanceNextXid(maxXid);
  }

  /**
   * multixact_redo's truncation: members segments from the old start up to (not including) the new
   * one, wrapping around; offsets segments wholly before the page of the multixact preceding the
   * new oldest one (PerformOffsetsTruncation — Neon skips this part, PostgreSQL does not).
   */
  private static void truncateMultiXact(DatadirModification m, TrackedCheckpoint cp, MultiXactRecord.TruncateId t)
      throws IOException {
    cp.setOldestMulti(t.endTruncOff(), t.oldestMultiDb());
    cp.markModified();
    int segment = MultiXactSlru.membersPage(t.startTruncMemb()) / Slru.PAGES_PER_SEGMENT;
    int end = MultiXactSlru.membersPage(t.endTruncMemb()) / Slru.PAGES_PER_SEGMENT;
    while (segment != end) {
      m.dropSlruSegment(SlruKind.MULTIXACT_MEMBERS, segment);
      segment = segment == MAX_MEMBERS_SEGMENT ? 0 : segment + 1;
    }
    int cutoffPage = MultiXactSlru.offsetsPage(SlruOrder.previousMultiXactId(t.endTruncOff()));
    for (int segno : m.slruSegments(SlruKind.MULTIXACT_OFFSETS).numbers()) {
      if (SlruOrder.mayDeleteSegment(segno, cutoffPage, SlruOrder::offsetsPagePrecedes)) {
        m.dropSlruSegment(SlruKind.MULTIXACT_OFFSETS, segno);
      }
    }
  }

  /** A zeroed SLRU page, creating its segment or extending it with zero pages up to it. */
  static void zeroPage(DatadirModification m, SlruKind kind, int pageno) throws IOException {
    int segno = Slru.segmentOf(pageno);
    int rpage = Slru.pageInSegment(pageno);
    int size = m.slruSegmentSizeOrMinusOne(kind, segno);
    if (size < 0) {
      m.createSlruSegment(kind, segno, 0);
      size = 0;
    }
    for (int b = size; b < rpage; b++) m.put(Key.slruBlock(kind, segno, b), new Value.Image(new byte[PAGE_SIZE]));
    m.put(Key.slruBlock(kind, segno, rpage), new Value.Image(new byte[PAGE_SIZE]));
    if (rpage + 1 > size) m.setSlruSegmentSize(kind, segno, rpage + 1);
  }
}
