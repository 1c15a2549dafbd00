package store.pgdatadir;

import wire.pgdata.CheckPoint;
import wire.xlog.Lsn;

/**
 * The CheckPoint struct as ingest keeps it up to date between checkpoint records (pageserver.md
 * §3.2, §3.3): counters only move forward, in PostgreSQL's modulo-2^32 order. {@link #modified}
 * says whether the Checkpoint key must be rewritten at the current record.
 */
final class TrackedCheckpoint {
  /** nextXid is stored rounded up to this, so that not every transaction rewrites the key; below one CLOG page. */
  static final int XID_CHECKPOINT_INTERVAL = 1024;
  static final int FIRST_NORMAL_XID = 3;

  private CheckPoint cp;
  private boolean modified;

  TrackedCheckpoint(CheckPoint initial) {
    this.cp = initial;
  }

  CheckPoint value() {
    return cp;
  }

  boolean modified() {
    return modified;
  }

  void markWritten() {
    modified = false;
  }

  void markModified() {
    modified = true;
  }

  /** Makes nextXid greater than xid, rounded up to the interval; the epoch advances on wraparound. */
  void advanceNextXid(int xid) {
    int newXid = xid + 1;
    if (Integer.compareUnsigned(newXid, FIRST_NORMAL_XID) < 0) newXid = FIRST_NORMAL_XID;
    newXid = (newXid + XID_CHECKPOINT_INTERVAL - 1) & ~(XID_CHECKPOINT_INTERVAL - 1);
    long full = cp.nextXid();
    int oldXid = (int) full;
    if (newXid - oldXid > 0) {
      long epoch = full >>> 32;
      if (Integer.compareUnsigned(newXid, oldXid) < 0) epoch++;
      set(with(cp).nextXid((epoch << 32) | Integer.toUnsignedLong(newXid)));
    }
  }

  /** nextMulti and nextMultiOffset only move forward (both wrap around). */
  void advanceNextMulti(int nextMulti, int nextOffset) {
    Builder b = with(cp);
    if (nextMulti - cp.nextMulti() > 0) b.nextMulti(nextMulti);
    if (nextOffset - cp.nextMultiOffset() > 0) b.nextMultiOffset(nextOffset);
    set(b);
  }

  void setNextOid(int nextOid) {
    set(with(cp).nextOid(nextOid));
  }

  void setOldestXid(int oldestXid, int oldestXidDb) {
    set(with(cp).oldestXid(oldestXid).oldestXidDb(oldestXidDb));
  }

  void setOldestMulti(int oldestMulti, int oldestMultiDb) {
    set(with(cp).oldestMulti(oldestMulti).oldestMultiDb(oldestMultiDb));
  }

  void setOldestActiveXid(int xid) {
    set(with(cp).oldestActiveXid(xid));
  }

  /**
   * Merges a checkpoint record: oldestXid only advances, oldestActiveXid comes from the record, and
   * redo follows the Neon convention — the record's end for a shutdown checkpoint (a clean point a
   * compute may start from), 0 for an online one. The key is rewritten even if nothing changed.
   */
  void mergeCheckpointRecord(CheckPoint rec, boolean shutdown, long endLsn, int oldestActiveXid) {
    Builder b = with(cp).oldestActiveXid(oldestActiveXid).redo(shutdown ? endLsn : 0);
    if (cp.oldestXid() - rec.oldestXid() < 0) b.oldestXid(rec.oldestXid());
    set(b);
    modified = true;
  }

  private void set(Builder b) {
    CheckPoint next = b.build();
    if (!next.equals(cp)) {
      cp = next;
      modified = true;
    }
  }

  private static Builder with(CheckPoint c) {
    return new Builder(c);
  }

  /** A copy of a CheckPoint with some fields replaced. */
  private static final class Builder {
    private long redo;
    private final int tli;
    private final int prevTli;
    private final boolean fpw;
    private long nextXid;
    private int nextOid;
    private int nextMulti;
    private int nextMultiOffset;
    private int oldestXid;
    private int oldestXidDb;
    private int oldestMulti;
    private int oldestMultiDb;
    private final long time;
    private final int oldestCommitTsXid;
    private final int newestCommitTsXid;
    private int oldestActiveXid;

    Builder(CheckPoint c) {
      redo = c.redo().value();
      tli = c.thisTimeLineId();
      prevTli = c.prevTimeLineId();
      fpw = c.fullPageWrites();
      nextXid = c.nextXid();
      nextOid = c.nextOid();
      nextMulti = c.nextMulti();
      nextMultiOffset = c.nextMultiOffset();
      oldestXid = c.oldestXid();
      oldestXidDb = c.oldestXidDb();
      oldestMulti = c.oldestMulti();
      oldestMultiDb = c.oldestMultiDb();
      time = c.time();
      oldestCommitTsXid = c.oldestCommitTsXid();
      newestCommitTsXid = c.newestCommitTsXid();
      oldestActiveXid = c.oldestActiveXid();
    }

    Builder redo(long v) { redo = v; return this; }
    Builder nextXid(long v) { nextXid = v; return this; }
    Builder nextOid(int v) { nextOid = v; return this; }
    Builder nextMulti(int v) { nextMulti = v; return this; }
    Builder nextMultiOffset(int v) { nextMultiOffset = v; return this; }
    Builder oldestXid(int v) { oldestXid = v; return this; }
    Builder oldestXidDb(int v) { oldestXidDb = v; return this; }
    Builder oldestMulti(int v) { oldestMulti = v; return this; }
    Builder oldestMultiDb(int v) { oldestMultiDb = v; return this; }
    Builder oldestActiveXid(int v) { oldestActiveXid = v; return this; }

    CheckPoint build() {
      return new CheckPoint(Lsn.of(redo), tli, prevTli, fpw, nextXid, nextOid, nextMulti, nextMultiOffset, oldestXid,
          oldestXidDb, oldestMulti, oldestMultiDb, time, oldestCommitTsXid, newestCommitTsXid, oldestActiveXid);
    }
  }
}
