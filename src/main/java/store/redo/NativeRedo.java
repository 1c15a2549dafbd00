package store.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import store.redo.ReconstructFailed.Kind;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.Clog;
import wire.pgdata.ForkNumber;
import wire.pgdata.MultiXactSlru;
import wire.pgdata.Slru;
import wire.pgdata.VisibilityMap;

/**
 * The values the pageserver applies to pages itself, without PostgreSQL (pageserver.md §5.1):
 * visibility-map bit clears and truncation, CLOG commits and aborts, and multixact offsets and
 * members. Each checks that it was given the page it belongs to before it changes a byte.
 *
 * <p>A CLOG page may carry an 8-byte trailer after its 8 KiB: the big-endian commit timestamp of
 * the last commit applied to it, for finding an LSN by time. A commit replaces the trailer (or
 * adds one); an abort keeps the page's shape. Whoever serves CLOG pages to PostgreSQL strips it.
 */
public final class NativeRedo {
  public static final int PAGE_SIZE = 8192;
  public static final int CLOG_TRAILER_SIZE = 8;
  /** Bits of a multixact member's status in its group's flags word (MXACT_MEMBER_BITS_PER_XACT). */
  private static final int MEMBER_STATUS_MAX = 0xFF;

  private NativeRedo() {}

  /** True for the values this class applies: everything but images and PostgreSQL records. */
  public static boolean handles(Value v) {
    return !(v instanceof Value.Image) && !(v instanceof Value.PgRecord);
  }

  /**
   * Applies one value, stored at {@code lsn}, to the page of {@code key}. The page is changed in
   * place and returned, except that a CLOG commit on a page without a trailer returns a new,
   * longer array. On error the page is unchanged.
   */
  public static byte[] apply(Key key, long lsn, byte[] page, Value value) throws ReconstructFailed {
    if (!handles(value)) throw invalid(key, lsn, name(value) + " is not applied natively");
    if (page == null) throw invalid(key, lsn, "a " + name(value) + " needs a page to apply to, and the history has none below it");
    if (value instanceof Value.ClearVmFlags c) {
      clearVmFlags(key, lsn, page, c);
      return page;
    } else if (value instanceof Value.TruncateVm t) {
      truncateVm(key, lsn, page, t);
      return page;
    } else if (value instanceof Value.ClogSetCommitted c) {
      return clogCommit(key, lsn, page, c);
    } else if (value instanceof Value.ClogSetAborted a) {
      clogAbort(key, lsn, page, a);
      return page;
    } else if (value instanceof Value.MultixactOffsetCreate o) {
      multixactOffset(key, lsn, page, o);
      return page;
    } else if (value instanceof Value.MultixactMembersCreate m) {
      multixactMembers(key, lsn, page, m);
      return page;
    }
    throw invalid(key, lsn, name(value) + " is not applied natively");
  }

  /** Clears the bits of the new and the old heap block; pd_lsn follows unless the page is new. */
  private static void clearVmFlags(Key key, long lsn, byte[] page, Value.ClearVmFlags c) throws ReconstructFailed {
    requireVmPage(key, lsn, page, c);
    if ((c.flags() & ~VisibilityMap.VALID_BITS) != 0) {
      throw invalid(key, lsn, "ClearVmFlags flags 0x" + Integer.toHexString(c.flags()) + " are not a subset of ALL_VISIBLE|ALL_FROZEN (0x3)");
    }
    long[] heapBlocks = {c.newHeapBlock(), c.oldHeapBlock()};
    long vmBlock = Integer.toUnsignedLong(key.blockNumber());
    for (long heap : heapBlocks) {
      if (heap == -1) continue;
      if (heap < 0 || heap > 0xFFFF_FFFEL) throw invalid(key, lsn, "ClearVmFlags heap block " + heap + " is not a block number");
      if (VisibilityMap.mapBlock(heap) != vmBlock) {
        throw invalid(key, lsn, "ClearVmFlags heap block " + heap + " is on VM block " + VisibilityMap.mapBlock(heap) + ", not " + vmBlock);
      }
    }
    // PostgreSQL's visibilitymap_clear leaves pd_lsn alone (clearing is not WAL-logged on the VM
    // page), so the page keeps the LSN of the record that last set bits, as on a standby.
    for (long heap : heapBlocks) {
      if (heap != -1) VisibilityMap.clear(page, heap, c.flags());
    }
  }

  private static void truncateVm(Key key, long lsn, byte[] page, Value.TruncateVm t) throws ReconstructFailed {
    requireVmPage(key, lsn, page, t);
    if (t.truncByte() < 0 || t.truncByte() >= VisibilityMap.MAP_SIZE || t.truncOffset() < 0 || t.truncOffset() >= Byte.SIZE) {
      throw invalid(key, lsn, "TruncateVm byte " + t.truncByte() + " offset " + t.truncOffset() + " is outside the map (byte 0-"
          + (VisibilityMap.MAP_SIZE - 1) + ", offset 0-7)");
    }
    VisibilityMap.truncate(page, t.truncByte(), t.truncOffset());
  }

  private static byte[] clogCommit(Key key, long lsn, byte[] page, Value.ClogSetCommitted c) throws ReconstructFailed {
    requireClogPage(key, lsn, page, c.xids(), c);
    for (int xid : c.xids()) Clog.setStatus(page, xid, Clog.Status.COMMITTED);
    byte[] out = page.length == PAGE_SIZE + CLOG_TRAILER_SIZE ? page : Arrays.copyOf(page, PAGE_SIZE + CLOG_TRAILER_SIZE);
    ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN).putLong(PAGE_SIZE, c.commitTimestamp());
    return out;
  }

  private static void clogAbort(Key key, long lsn, byte[] page, Value.ClogSetAborted a) throws ReconstructFailed {
    requireClogPage(key, lsn, page, a.xids(), a);
    for (int xid : a.xids()) Clog.setStatus(page, xid, Clog.Status.ABORTED);
  }

  private static void multixactOffset(Key key, long lsn, byte[] page, Value.MultixactOffsetCreate o) throws ReconstructFailed {
    requireSlruPage(key, lsn, page, SlruKind.MULTIXACT_OFFSETS, o);
    int pageno = MultiXactSlru.offsetsPage(o.multi());
    if (!isSlruPage(key, pageno)) {
      throw invalid(key, lsn, "multixact " + Integer.toUnsignedString(o.multi()) + " is on offsets page " + Integer.toUnsignedString(pageno)
          + ", not this one");
    }
    MultiXactSlru.setOffset(page, o.multi(), o.offset());
    int next = o.multi() + 1 == 0 ? 1 : o.multi() + 1;   // multixact 0 is never used
    if (o.nextOffset() != 0 && MultiXactSlru.offsetsPage(next) == pageno) MultiXactSlru.setOffset(page, next, o.nextOffset());
  }

  private static void multixactMembers(Key key, long lsn, byte[] page, Value.MultixactMembersCreate m) throws ReconstructFailed {
    requireSlruPage(key, lsn, page, SlruKind.MULTIXACT_MEMBERS, m);
    int[] xids = m.xids();
    int[] statuses = m.statuses();
    for (int i = 0; i < xids.length; i++) {
      int offset = m.offset() + i;   // member offsets wrap around at 2^32, as PostgreSQL's do
      int pageno = MultiXactSlru.membersPage(offset);
      if (!isSlruPage(key, pageno)) {
        throw invalid(key, lsn, "member offset " + Integer.toUnsignedString(offset) + " is on members page " + Integer.toUnsignedString(pageno)
            + ", not this one");
      }
      if (statuses[i] < 0 || statuses[i] > MEMBER_STATUS_MAX) {
        throw invalid(key, lsn, "member status " + statuses[i] + " of xid " + Integer.toUnsignedString(xids[i]) + " does not fit its 8 flag bits");
      }
    }
    for (int i = 0; i < xids.length; i++) MultiXactSlru.setMember(page, m.offset() + i, xids[i], statuses[i]);
  }

  private static void requireVmPage(Key key, long lsn, byte[] page, Value v) throws ReconstructFailed {
    if (!key.isRelBlock() || key.f5() != ForkNumber.VM.ordinal()) throw invalid(key, lsn, "a " + name(v) + " applies only to visibility map pages");
    requireSize(key, lsn, page, PAGE_SIZE, v);
  }

  private static void requireClogPage(Key key, long lsn, byte[] page, int[] xids, Value v) throws ReconstructFailed {
    requireSlruKind(key, lsn, SlruKind.CLOG, v);
    if (page.length != PAGE_SIZE && page.length != PAGE_SIZE + CLOG_TRAILER_SIZE) {
      throw invalid(key, lsn, "a CLOG page is " + PAGE_SIZE + " bytes, or " + (PAGE_SIZE + CLOG_TRAILER_SIZE) + " with its timestamp; this one is " + page.length);
    }
    for (int xid : xids) {
      if (!isSlruPage(key, Clog.pageOf(xid))) {
        throw invalid(key, lsn, "xid " + Integer.toUnsignedString(xid) + " of the " + name(v) + " is on CLOG page "
            + Integer.toUnsignedString(Clog.pageOf(xid)) + ", not this one");
      }
    }
  }

  private static void requireSlruPage(Key key, long lsn, byte[] page, SlruKind kind, Value v) throws ReconstructFailed {
    requireSlruKind(key, lsn, kind, v);
    requireSize(key, lsn, page, PAGE_SIZE, v);
  }

  private static void requireSlruKind(Key key, long lsn, SlruKind kind, Value v) throws ReconstructFailed {
    if (!key.isSlruBlock() || key.f2() != kind.ordinal()) throw invalid(key, lsn, "a " + name(v) + " applies only to " + kind.dir() + " pages");
  }

  private static void requireSize(Key key, long lsn, byte[] page, int size, Value v) throws ReconstructFailed {
    if (page.length != size) throw invalid(key, lsn, "the page under the " + name(v) + " is " + page.length + " bytes, not " + size);
  }

  /** Whether an SLRU page number is the page of this key (its segment and block). */
  private static boolean isSlruPage(Key key, int pageno) {
    return Slru.segmentOf(pageno) == key.slruSegment() && Slru.pageInSegment(pageno) == key.blockNumber();
  }

  static String name(Value v) {
    return v == null ? "null value" : v.getClass().getSimpleName();
  }

  private static ReconstructFailed invalid(Key key, long lsn, String why) {
    return new ReconstructFailed(key, lsn, Kind.INVALID_VALUE, why);
  }
}
