package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.WireFormatException;
import wire.keyspace.Directories.RelFork;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.BlockRef;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.DbaseRecord;
import wire.xlog.rmgr.HeapRecord;
import wire.xlog.rmgr.SmgrRecord;

/** What records do to relation forks outside their block values: implicit extension, VM clears, SMGR, DBASE (§3.2, §3.3). */
final class RelationIngest {
  private static final Logger LOG = LoggerFactory.getLogger(RelationIngest.class);
  private static final int PAGE_SIZE = 8192;
  /** Heap blocks one visibility-map page covers: (8192 - 24) bytes × 4. */
  static final int HEAPBLOCKS_PER_VM_PAGE = (PAGE_SIZE - 24) * 4;
  /** FSM leaf slots per page (SlotsPerFSMPage) and the tree depth that gives. */
  static final int SLOTS_PER_FSM_PAGE = 4069;
  private static final int FSM_TREE_DEPTH = 3;
  /** A FILE_COPY database creation commits after this many copied pages, when it can. */
  private static final int COPY_COMMIT_PAGES = 1024;

  private RelationIngest() {}

  /**
   * Like XLogReadBufferExtended during redo: a reference to a block of a fork that does not exist
   * creates it, and one past its end extends it, with zero pages for the blocks skipped.
   */
  static void extendToHold(DatadirModification m, RelTag rel, int blkno) throws IOException {
    int size = m.relSizeOrMinusOne(rel);
    if (size < 0) {
      m.createRelation(rel, 0);
      size = 0;
    }
    if (Integer.compareUnsigned(blkno, size) < 0) return;
    for (int b = size; b != blkno; b++) m.put(Key.relBlock(rel, b), new Value.Image(new byte[PAGE_SIZE]));
    m.setRelationSize(rel, blkno + 1);
  }

  /**
   * Heap redo clears visibility-map bits without a block reference to the VM page, so the clear is
   * stored on that page: one value when the old and new heap pages share a VM page, else two.
   */
  static void clearVmBits(WalRecord rec, DatadirModification m) throws IOException, WireFormatException {
    HeapRecord h = rec.rmgr() == RmgrId.HEAP ? HeapRecord.parseHeap(rec.info(), rec.mainData())
        : HeapRecord.parseHeap2(rec.info(), rec.mainData());
    int newBits = h.vmBitsClearedOnNewPage();
    int oldBits = h.vmBitsClearedOnOldPage();
    if ((newBits | oldBits) == 0 || rec.blocks().isEmpty()) return;
    BlockRef first = rec.block(0);
    if (first == null) return;
    BlockRef last = rec.blocks().get(rec.blocks().size() - 1);
    RelTag vm = first.rel().fork(ForkNumber.VM);
    int vmSize = Math.max(0, m.relSizeOrMinusOne(vm));
    long newHeap = newBits != 0 ? Integer.toUnsignedLong(first.blockNumber()) : -1;
    long oldHeap = oldBits != 0 ? Integer.toUnsignedLong(last.blockNumber()) : -1;
    long newVm = vmPage(newHeap, vmSize);
    long oldVm = vmPage(oldHeap, vmSize);
    if (newVm < 0 && oldVm < 0) {
      LOG.warn("VM bits cleared beyond the visibility map, skipped lsn={} rel={} vm_blocks={} new_heap_blk={} old_heap_blk={}",
          rec.lsn(), vm, vmSize, newHeap, oldHeap);
      return;
    }
    if (newVm == oldVm) {
      m.put(Key.relBlock(vm, (int) newVm), new Value.ClearVmFlags(newHeap, oldHeap, newBits | oldBits));
      return;
    }
    if (newVm >= 0) m.put(Key.relBlock(vm, (int) newVm), new Value.ClearVmFlags(newHeap, -1, newBits));
    if (oldVm >= 0) m.put(Key.relBlock(vm, (int) oldVm), new Value.ClearVmFlags(-1, oldHeap, oldBits));
  }

  /** The VM page of a heap block, or -1 when there is no block or the VM does not reach it. */
  private static long vmPage(long heapBlock, int vmSize) {
    if (heapBlock < 0) return -1;
    long page = heapBlock / HEAPBLOCKS_PER_VM_PAGE;
    return page < Integer.toUnsignedLong(vmSize) ? page : -1;
  }

  static void smgr(WalRecord rec, DatadirModification m) throws IOException, WireFormatException {
    SmgrRecord r = SmgrRecord.parse(rec.info(), rec.mainData());
    if (r instanceof SmgrRecord.Create c) {
      m.createRelation(c.rel(), 0); // smgrcreate in redo: nothing if it exists
    } else if (r instanceof SmgrRecord.Truncate t) {
      truncate(m, t);
    }
  }

  /**
   * smgr_redo's truncation: the main fork is created if missing and cut to blkno; the FSM and VM, if
   * they exist, keep the page holding the cut (its tail cleared) and lose the pages after it. Forks
   * only ever shrink. PostgreSQL clears just the FSM slots past the cut; a zero FSM page (a valid, empty
   * one) stands in for that here.
   */
  private static void truncate(DatadirModification m, SmgrRecord.Truncate t) throws IOException {
    long blkno = Integer.toUnsignedLong(t.blkno());
    RelTag main = t.rel().fork(ForkNumber.MAIN);
    m.createRelation(main, 0);
    if (t.truncatesHeap()) shrink(m, main, blkno);
    RelTag fsm = t.rel().fork(ForkNumber.FSM);
    int fsmSize = m.relSizeOrMinusOne(fsm);
    if (t.truncatesFsm() && fsmSize >= 0) {
      long slot = blkno % SLOTS_PER_FSM_PAGE;
      long keep = fsmLeafToPhysical(blkno / SLOTS_PER_FSM_PAGE);
      if (slot > 0) {
        if (keep < fsmSize) {
          m.put(Key.relBlock(fsm, (int) keep), new Value.Image(new byte[PAGE_SIZE]));
          shrink(m, fsm, keep + 1);
        }
      } else {
        shrink(m, fsm, keep);
      }
    }
    RelTag vm = t.rel().fork(ForkNumber.VM);
    int vmSize = m.relSizeOrMinusOne(vm);
    if (t.truncatesVm() && vmSize >= 0) {
      long page = blkno / HEAPBLOCKS_PER_VM_PAGE;
      int inPage = (int) (blkno % HEAPBLOCKS_PER_VM_PAGE);
      if (inPage != 0) {
        if (page < vmSize) {
          m.put(Key.relBlock(vm, (int) page), new Value.TruncateVm(inPage / 4, (inPage % 4) * 2));
          shrink(m, vm, page + 1);
        }
      } else {
        shrink(m, vm, page);
      }
    }
  }

  private static void shrink(DatadirModification m, RelTag rel, long nblocks) throws IOException {
    if (nblocks < Integer.toUnsignedLong(m.relSizeOrMinusOne(rel))) m.setRelationSize(rel, (int) nblocks);
  }

  /** fsm_logical_to_physical for a leaf page: the leaf plus the upper-level pages laid out before it. */
  static long fsmLeafToPhysical(long leafno) {
    long pages = 0;
    long n = leafno;
    for (int level = 0; level < FSM_TREE_DEPTH; level++) {
      pages += n + 1;
      n /= SLOTS_PER_FSM_PAGE;
    }
    return pages - 1;
  }

  static void dbase(WalRecord rec, DatadirModification m) throws IOException, WireFormatException, InvalidWalRecord {
    DbaseRecord r = DbaseRecord.parse(rec.info(), rec.mainData());
    if (r instanceof DbaseRecord.CreateFileCopy c) {
      copyDatabase(rec, m, c);
    } else if (r instanceof DbaseRecord.Drop d) {
      for (int spc : d.tablespaceIds()) m.dropDatabase(spc, d.dbId());
    }
    // CREATE_WAL_LOG: the new database's pages follow as records of their own
  }

  /**
   * FILE_COPY: the source's relmap and every block of every fork, as images read back from storage
   * as of this record — so what is pending is committed first.
   */
  private static void copyDatabase(WalRecord rec, DatadirModification m, DbaseRecord.CreateFileCopy c)
      throws IOException, InvalidWalRecord {
    if (m.pendingPages() > 0) {
      if (!m.canCommit()) throw new InvalidWalRecord(rec, "a FILE_COPY database creation needs a modification with a commit sink");
      m.commit();
    }
    int srcSpc = c.srcTablespaceId(), srcDb = c.srcDbId();
    byte[] relmap = m.get(Key.relmap(srcSpc, srcDb));
    if (relmap == null) throw new InvalidWalRecord(rec, "source database " + srcSpc + "/" + srcDb + " has no relmap");
    m.putRelmap(c.tablespaceId(), c.dbId(), relmap);
    // directories and sizes first, then pages: a commit while copying then never repeats a (key, LSN)
    List<RelTag> sources = new ArrayList<>();
    for (RelFork f : m.relDirectory(srcSpc, srcDb).rels()) {
      RelTag src = new RelTag(srcSpc, srcDb, f.relNode(), ForkNumber.ofNumber(f.fork()));
      RelTag dst = new RelTag(c.tablespaceId(), c.dbId(), f.relNode(), src.fork());
      int n = m.relSizeOrMinusOne(src);
      if (!m.createRelation(dst, n)) m.setRelationSize(dst, n);
      sources.add(src);
    }
    Datadir source = m.view();
    int copied = 0;
    for (RelTag src : sources) {
      RelTag dst = new RelTag(c.tablespaceId(), c.dbId(), src.relNode(), src.fork());
      int n = m.relSizeOrMinusOne(src);
      for (int b = 0; Integer.compareUnsigned(b, n) < 0; b++) {
        m.put(Key.relBlock(dst, b), new Value.Image(source.page(src, b)));
        if (++copied % COPY_COMMIT_PAGES == 0 && m.canCommit()) m.commit();
      }
    }
    LOG.info("database created by file copy lsn={} db={}/{} from={}/{} pages={}", rec.endLsn(),
        Integer.toUnsignedString(c.tablespaceId()), Integer.toUnsignedString(c.dbId()), Integer.toUnsignedString(srcSpc),
        Integer.toUnsignedString(srcDb), copied);
  }
}
