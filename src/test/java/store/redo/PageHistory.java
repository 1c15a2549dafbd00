package store.redo;

import wire.pgdata.ForkNumber;
import java.util.ArrayList;
import java.util.List;
import wire.redo.RedoRecord;
import wire.xlog.BlockRef;
import wire.pgdata.RelFileNode;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;

/**
 * Test helper: what a page server sends to rebuild one block (walredo.md, "Building a page's
 * history"): every record that references the block, from the last one that restores a full-page
 * image of it or initialises it.
 */
public final class PageHistory {
  /** Heap blocks per visibility map page: (8192 - 24) bytes of 4 heap blocks each. */
  static final int HEAP_BLOCKS_PER_VM_PAGE = (8192 - 24) * 4;

  private PageHistory() {}

  public static List<RedoRecord> of(List<WalRecord> wal, RelFileNode rel, int fork, int blkno) {
    return from(wal, rel, fork, blkno, false);
  }

  /**
   * A VM page also changes through heap records of the blocks it covers: they clear its bits without
   * referencing it.
   */
  static List<RedoRecord> ofVisibilityMapPage(List<WalRecord> wal, RelFileNode rel, int vmBlock) {
    return from(wal, rel, ForkNumber.VM.ordinal(), vmBlock, true);
  }

  private static List<RedoRecord> from(List<WalRecord> wal, RelFileNode rel, int fork, int blkno, boolean withHeap) {
    int start = -1;
    for (int i = 0; i < wal.size(); i++) {
      BlockRef ref = reference(wal.get(i), rel, fork, blkno);
      if (ref != null && (ref.willInit() || (ref.hasImage() && ref.image().isApplied()))) start = i;
    }
    List<RedoRecord> out = new ArrayList<>();
    if (start < 0) return out;
    for (WalRecord r : wal.subList(start, wal.size())) {
      if (reference(r, rel, fork, blkno) != null || (withHeap && touchesCoveredHeapBlock(r, rel, blkno))) {
        out.add(new RedoRecord(r.rawBytes(), r.lsn(), r.endLsn()));
      }
    }
    return out;
  }

  public static BlockRef reference(WalRecord r, RelFileNode rel, int fork, int blkno) {
    for (BlockRef b : r.blocks()) {
      if (b.rel().equals(rel) && b.forkNumber() == fork && b.blockNumber() == blkno) return b;
    }
    return null;
  }

  private static boolean touchesCoveredHeapBlock(WalRecord r, RelFileNode rel, int vmBlock) {
    if (r.rmgr() != RmgrId.HEAP && r.rmgr() != RmgrId.HEAP2) return false;
    for (BlockRef b : r.blocks()) {
      if (b.rel().equals(rel) && b.forkNumber() == ForkNumber.MAIN.ordinal()
          && Integer.toUnsignedLong(b.blockNumber()) / HEAP_BLOCKS_PER_VM_PAGE == vmBlock) {
        return true;
      }
    }
    return false;
  }
}
