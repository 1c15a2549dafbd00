package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.RmgrId;

/**
 * What storage needs from HEAP and HEAP2 records: whether their redo clears visibility-map bits.
 * Heap redo clears VM bits by touching the VM fork outside the record's block references, so the
 * pageserver has to route those clears itself (pageserver.md §3.3). The heap page is block
 * reference 0, except that an UPDATE's old page is its last block reference.
 */
public sealed interface HeapRecord {
  int INSERT = 0x00, DELETE = 0x10, UPDATE = 0x20, TRUNCATE = 0x30, HOT_UPDATE = 0x40, CONFIRM = 0x50, LOCK = 0x60,
      INPLACE = 0x70, OPMASK = 0x70, INIT_PAGE = 0x80;
  int HEAP2_REWRITE = 0x00, HEAP2_PRUNE = 0x10, HEAP2_VACUUM = 0x20, HEAP2_FREEZE_PAGE = 0x30, HEAP2_VISIBLE = 0x40,
      HEAP2_MULTI_INSERT = 0x50, HEAP2_LOCK_UPDATED = 0x60, HEAP2_NEW_CID = 0x70;
  int INSERT_ALL_VISIBLE_CLEARED = 1, DELETE_ALL_VISIBLE_CLEARED = 1, UPDATE_OLD_ALL_VISIBLE_CLEARED = 1,
      UPDATE_NEW_ALL_VISIBLE_CLEARED = 1 << 1, LOCK_ALL_FROZEN_CLEARED = 1;
  int VM_ALL_VISIBLE = 0x1, VM_ALL_FROZEN = 0x2, VM_ALL_BITS = VM_ALL_VISIBLE | VM_ALL_FROZEN;

  /** VM bits cleared for the heap page of block reference 0 (0 when none). */
  default int vmBitsClearedOnNewPage() {
    return 0;
  }

  /** VM bits cleared for an UPDATE's old heap page, its last block reference (0 when none). */
  default int vmBitsClearedOnOldPage() {
    return 0;
  }

  /** HEAP INSERT (xl_heap_insert: offnum u16, flags u8) and HEAP2 MULTI_INSERT (flags u8, pad, ntuples u16). */
  record Insert(boolean multi, int flags) implements HeapRecord {
    @Override
    public int vmBitsClearedOnNewPage() {
      return (flags & INSERT_ALL_VISIBLE_CLEARED) != 0 ? VM_ALL_BITS : 0;
    }
  }

  /** xl_heap_delete: xmax u32, offnum u16, infobits u8, flags u8. */
  record Delete(int flags) implements HeapRecord {
    @Override
    public int vmBitsClearedOnNewPage() {
      return (flags & DELETE_ALL_VISIBLE_CLEARED) != 0 ? VM_ALL_BITS : 0;
    }
  }

  /** xl_heap_update (UPDATE or HOT_UPDATE): old_xmax u32, old_offnum u16, old_infobits u8, flags u8, … */
  record Update(boolean hot, int flags) implements HeapRecord {
    @Override
    public int vmBitsClearedOnNewPage() {
      return (flags & UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0 ? VM_ALL_BITS : 0;
    }

    @Override
    public int vmBitsClearedOnOldPage() {
      return (flags & UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0 ? VM_ALL_BITS : 0;
    }
  }

  /** HEAP LOCK and HEAP2 LOCK_UPDATED (xmax u32, offnum u16, infobits u8, flags u8): only ALL_FROZEN is cleared. */
  record Lock(boolean updatedVersion, int flags) implements HeapRecord {
    @Override
    public int vmBitsClearedOnNewPage() {
      return (flags & LOCK_ALL_FROZEN_CLEARED) != 0 ? VM_ALL_FROZEN : 0;
    }
  }

  /** HEAP2 VISIBLE (cutoff_xid u32, flags u8): sets VM bits; the VM page is block reference 0. */
  record Visible(int cutoffXid, int flags) implements HeapRecord {}

  /** Every other heap record: its block references say all. */
  record Other(int rmid, int info) implements HeapRecord {}

  static HeapRecord parseHeap(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & OPMASK;
    return switch (op) {
      case INSERT -> new Insert(false, flagsAt(mainData, 2, "HEAP INSERT"));
      case DELETE -> new Delete(flagsAt(mainData, 7, "HEAP DELETE"));
      case UPDATE, HOT_UPDATE -> new Update(op == HOT_UPDATE, flagsAt(mainData, 7, op == UPDATE ? "HEAP UPDATE" : "HEAP HOT_UPDATE"));
      case LOCK -> new Lock(false, flagsAt(mainData, 7, "HEAP LOCK"));
      default -> new Other(RmgrId.HEAP.id(), op);
    };
  }

  static HeapRecord parseHeap2(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & OPMASK;
    return switch (op) {
      case HEAP2_MULTI_INSERT -> new Insert(true, flagsAt(mainData, 0, "HEAP2 MULTI_INSERT"));
      case HEAP2_LOCK_UPDATED -> new Lock(true, flagsAt(mainData, 7, "HEAP2 LOCK_UPDATED"));
      case HEAP2_VISIBLE -> {
        FieldReader r = FieldReader.littleEndian("HEAP2 VISIBLE", mainData);
        yield new Visible(r.i32("cutoff_xid"), r.u8("flags"));
      }
      default -> new Other(RmgrId.HEAP2.id(), op);
    };
  }

  private static int flagsAt(ByteBuffer mainData, int offset, String format) throws WireFormatException {
    FieldReader r = FieldReader.littleEndian(format, mainData);
    r.skip("fields before flags", offset);
    return r.u8("flags");
  }
}
