package store.redo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import store.layer.ValueHistory;
import wire.WireFormatException;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;
import wire.pgdata.VisibilityMap;
import wire.xlog.BlockRef;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.HeapRecord;

/**
 * Test helper: the value history ingest would store for a page, built straight from decoded WAL.
 * A relation block gets the PostgreSQL records that reference it, from the last one that restores
 * or initialises it. A VM page gets its own records too, plus one {@link Value.ClearVmFlags} for
 * every heap record that clears bits of a heap block it covers (pageserver.md §3.3).
 */
public final class ValueHistories {
  private ValueHistories() {}

  public static ValueHistory ofBlock(List<WalRecord> wal, RelFileNode rel, ForkNumber fork, int blkno) {
    return build(wal, rel, fork, blkno, false);
  }

  public static ValueHistory ofVmPage(List<WalRecord> wal, RelFileNode rel, int vmBlock) {
    return build(wal, rel, ForkNumber.VM, vmBlock, true);
  }

  private static ValueHistory build(List<WalRecord> wal, RelFileNode rel, ForkNumber fork, int blkno, boolean heapClears) {
    int start = -1;
    for (int i = 0; i < wal.size(); i++) {
      if (initialises(PageHistory.reference(wal.get(i), rel, fork.ordinal(), blkno))) start = i;
    }
    List<ValueHistory.Version> oldestFirst = new ArrayList<>();
    for (WalRecord r : wal.subList(Math.max(start, 0), wal.size())) {
      BlockRef ref = PageHistory.reference(r, rel, fork.ordinal(), blkno);
      Value v = null;
      if (ref != null) {
        v = new Value.PgRecord(initialises(ref), r.lsnValue(), r.endLsnValue(), r.rawBytes());
      } else if (heapClears) {
        v = vmClear(r, rel, blkno);
      }
      if (v != null) oldestFirst.add(new ValueHistory.Version(r.endLsnValue(), v));
    }
    Collections.reverse(oldestFirst);
    long lsn = oldestFirst.isEmpty() ? 0 : oldestFirst.get(0).lsn();
    return new ValueHistory(Key.relBlock(rel.fork(fork), blkno), lsn, oldestFirst, start >= 0);
  }

  private static boolean initialises(BlockRef ref) {
    return ref != null && (ref.willInit() || (ref.hasImage() && ref.image().isApplied()));
  }

  /** The VM bits a heap record clears on this VM page, or null when it clears none here. */
  private static Value.ClearVmFlags vmClear(WalRecord r, RelFileNode rel, int vmBlock) {
    if ((r.rmgr() != RmgrId.HEAP && r.rmgr() != RmgrId.HEAP2) || r.blocks().isEmpty()) return null;
    HeapRecord h;
    try {
      h = r.rmgr() == RmgrId.HEAP ? HeapRecord.parseHeap(r.rmgrInfo(), r.mainData()) : HeapRecord.parseHeap2(r.rmgrInfo(), r.mainData());
    } catch (WireFormatException e) {
      throw new AssertionError("heap record at " + r.lsn() + " does not parse: " + e.getMessage(), e);
    }
    long newBlock = heapBlock(r.blocks().get(0), rel, vmBlock, h.vmBitsClearedOnNewPage());
    long oldBlock = heapBlock(r.blocks().get(r.blocks().size() - 1), rel, vmBlock, h.vmBitsClearedOnOldPage());
    if (newBlock < 0 && oldBlock < 0) return null;
    return new Value.ClearVmFlags(newBlock, oldBlock, h.vmBitsClearedOnNewPage() | h.vmBitsClearedOnOldPage());
  }

  private static long heapBlock(BlockRef ref, RelFileNode rel, int vmBlock, int bits) {
    if (bits == 0 || !ref.rel().equals(rel) || ref.forkNumber() != ForkNumber.MAIN.ordinal()) return -1;
    long blk = Integer.toUnsignedLong(ref.blockNumber());
    return VisibilityMap.mapBlock(blk) == vmBlock ? blk : -1;
  }
}
