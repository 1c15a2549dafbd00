package wire.xlog.encode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.WalPageHeader;
import wire.xlog.XLogRecordFormat;
import wire.xlog.XLogRecordFormat.EncodedBlock;
import wire.xlog.rmgr.ClogRecord;
import wire.xlog.rmgr.HeapRecord;
import wire.xlog.rmgr.StandbyRecord;
import wire.xlog.rmgr.XactRecord;
import wire.xlog.rmgr.XlogRecord;

/**
 * Synthetic WAL shaped like a small OLTP load, for a pageserver to run its ingest and read code
 * before real WAL arrives: heap inserts, HOT updates (some with the page's image) and multi-inserts
 * into {@link #HEAP}, index inserts into {@link #INDEX}, inserts that keep extending {@link #HISTORY},
 * transaction commits, full-page images of the blocks of {@link #IMAGES}, and the rarer records of
 * {@link #lessFrequent}; every image has a hole, as real pages have. Record for record it is valid WAL, starting at the first record position
 * of a segment; no PostgreSQL could replay it into a meaningful database.
 */
public final class RehearsalWal {
  public static final long SYSTEM_ID = 7_000_000_000_000_000_077L;
  public static final RelFileNode HEAP = new RelFileNode(1663, 5, 16384);
  public static final RelFileNode IMAGES = new RelFileNode(1663, 5, 16385);
  public static final RelFileNode INDEX = new RelFileNode(1663, 5, 16386);
  /** An append-only table (pgbench_history): it grows by a block every {@link #ROWS_PER_HISTORY_PAGE} rows, to the end. */
  public static final RelFileNode HISTORY = new RelFileNode(1663, 5, 16387);
  /** Blocks of each relation the records touch. */
  public static final int BLOCKS = 512;
  private static final int INSERTS_PER_IMAGE = 16;
  private static final int INSERTS_PER_COMMIT = 4;
  private static final int TUPLE_BYTES = 120;
  private static final int ROWS_PER_HISTORY_PAGE = 24;
  private static final int RUNNING_XIDS = 64;   // enough that the record's main data needs the long header (over 255 bytes)

  private RehearsalWal() {}

  /** Where the WAL starts: the first record of segment 1. */
  public static Lsn start(int segmentSize) {
    return Lsn.of(segmentSize).plus(WalPageHeader.LONG_SIZE);
  }

  /** About {@code bytes} of WAL from {@link #start}: the stream's bytes from there, ending at a record end. */
  public static byte[] generate(long bytes, int segmentSize) {
    WalIdentity id = new WalIdentity(SYSTEM_ID, 1, segmentSize);
    Lsn from = start(segmentSize);
    WalStreamEncoder enc = WalStreamEncoder.withZeroPrefix(id, from);
    byte[] tuple = new byte[TUPLE_BYTES];
    byte[] page = new byte[8192];
    Lsn prev = Lsn.INVALID;
    int xid = 1000;
    // a vacuumed table: its visibility map's first page, all-visible bits set (the page's image, as
    // after a checkpoint); the changes below clear those bits now and then, as on a real table
    fillPage(page, 0);
    prev = enc.append(visible(xid, prev, 0, page));
    for (long n = 0; enc.end().minus(from) < bytes; n++) {
      int block = (int) (n % BLOCKS);
      Arrays.fill(tuple, (byte) n);
      boolean newPage = n % 64 == 0;   // an insert that starts a page initialises it
      byte[] insert = {(byte) (n % 200 + 1), 0, (byte) (n % 4 == 1 ? HeapRecord.INSERT_ALL_VISIBLE_CLEARED : 0)};   // xl_heap_insert
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.INSERT | (newPage ? HeapRecord.INIT_PAGE : 0), xid,
          prev, HEAP, 0, block, newPage, null, 0, 0, false, tuple, insert));
      // an OLTP transaction's other records: a HOT update of the same page (now and then carrying its
      // image, as the first change after a checkpoint does), an index insert, a multi-insert
      byte[] update = new byte[14];   // xl_heap_update: old xmax, offnum, infobits, flags, new xmax, offnum
      update[7] = (byte) (n % 4 == 2 ? HeapRecord.UPDATE_OLD_ALL_VISIBLE_CLEARED : 0);
      boolean image = n % 8 == 0;
      if (image) fillPage(page, n);
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.HOT_UPDATE, xid, prev, HEAP, 0, block, false,
          image ? page : null, 200, image ? 3000 + (int) (n % 1000) : 0, image, image ? new byte[0] : tuple, update));
      if (n % 5 == 0) prev = enc.append(coldUpdate(n, xid, prev, block, tuple));
      if (n % 5 == 2) prev = enc.append(lock(n, xid, prev, block, page));
      if (n % 2 == 1) {
        byte[] prune = {(byte) (xid - 1), (byte) ((xid - 1) >>> 8), 0, 0, 1, 0, 1, 0};   // xl_heap_prune: removed xid, 1 redirect, 1 dead
        prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP2.id(), HeapRecord.HEAP2_PRUNE, 0, prev, HEAP, 0, block, false, null,
            0, 0, false, new byte[] {2, 0, 3, 0, 4, 0}, prune));
      }
      boolean indexImage = n % 16 == 5;
      if (indexImage) fillPage(page, n + 1);
      byte[] indexTuple = Arrays.copyOf(tuple, 16);
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.BTREE.id(), 0x00, xid, prev, INDEX, 0, block / 4 + 1, false,
          indexImage ? page : null, 200, indexImage ? 3000 + (int) (n % 1000) : 0, indexImage, indexImage ? new byte[0] : indexTuple,
          new byte[] {1, 0}));
      if (n % INSERTS_PER_IMAGE == 1) {
        byte[] multi = {0, 0, 8, 0};   // xl_heap_multi_insert: flags, pad, ntuples
        prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP2.id(), HeapRecord.HEAP2_MULTI_INSERT, xid, prev, HEAP, 0,
            (int) (n / INSERTS_PER_IMAGE % BLOCKS), false, null, 0, 0, false, Arrays.copyOf(tuple, 8 * 40), multi));
      }
      if (n % INSERTS_PER_COMMIT == INSERTS_PER_COMMIT - 1) {
        byte[] commit = new byte[8];   // xl_xact_commit: the commit time, no xinfo
        prev = enc.append(XLogRecordFormat.encode(RmgrId.XACT.id(), XactRecord.COMMIT, xid, prev, commit));
        xid++;
      }
      if (n % INSERTS_PER_IMAGE == 0) {
        fillPage(page, n);
        prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.XLOG.id(), XlogRecord.FPI, 0, prev, IMAGES, 0,
            (int) (n / INSERTS_PER_IMAGE % BLOCKS), false, page, 200, 3000 + (int) (n % 1000), true, new byte[0], new byte[0]));
      }
      if (n % 256 == 255) prev = enc.append(visible(xid, prev, block, null));   // a vacuum sets a page all-visible again
      prev = enc.append(historyInsert(n, xid, prev, tuple));
      prev = lessFrequent(enc, n, xid, prev, block, tuple, page);
    }
    byte[] all = enc.bytes();
    return Arrays.copyOfRange(all, (int) from.minus(enc.start()), all.length);
  }

  /** An insert into {@link #HISTORY}: the first row of a page extends the relation and initialises the page. */
  private static byte[] historyInsert(long n, int xid, Lsn prev, byte[] tuple) {
    boolean newPage = n % ROWS_PER_HISTORY_PAGE == 0;
    byte[] insert = {(byte) (n % ROWS_PER_HISTORY_PAGE + 1), 0, 0};
    return XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.INSERT | (newPage ? HeapRecord.INIT_PAGE : 0), xid, prev,
        HISTORY, 0, (int) (n / ROWS_PER_HISTORY_PAGE), newPage, null, 0, 0, false, Arrays.copyOf(tuple, 50), insert);
  }

  /**
   * The records a real load has now and then besides its transactions: deletes, in-place catalog
   * updates (VACUUM and ANALYZE update pg_class so), hint-bit page images, the running transactions
   * a checkpoint logs (main data over 255 bytes), new CLOG pages, OID allocation.
   */
  private static Lsn lessFrequent(WalStreamEncoder enc, long n, int xid, Lsn prev, int block, byte[] tuple, byte[] page) {
    if (n % 7 == 3) {
      byte[] delete = {(byte) xid, (byte) (xid >>> 8), 0, 0, (byte) (n % 200 + 1), 0, 0, (byte) (n % 2 == 0 ? HeapRecord.DELETE_ALL_VISIBLE_CLEARED : 0)};
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.DELETE, xid, prev, HEAP, 0, block, false, null, 0, 0,
          false, new byte[0], delete));
    }
    if (n % 50 == 7) {
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.INPLACE, 0, prev, HEAP, 0, block, false, null, 0, 0,
          false, tuple, new byte[] {3, 0}));   // xl_heap_inplace: offnum; the new tuple as block data
    }
    if (n % 32 == 8) {
      fillPage(page, n + 3);
      prev = enc.append(XLogRecordFormat.encodeWithBlock(RmgrId.XLOG.id(), XlogRecord.FPI_FOR_HINT, 0, prev, HEAP, 0, block, false, page, 200,
          3000 + (int) (n % 1000), true, new byte[0], new byte[0]));
    }
    if (n % 100 == 50) prev = enc.append(XLogRecordFormat.encode(RmgrId.STANDBY.id(), StandbyRecord.RUNNING_XACTS, 0, prev, runningXacts(xid)));
    if (n % 400 == 200) {
      int pageno = (int) (n / 400) + 1;
      prev = enc.append(XLogRecordFormat.encode(RmgrId.CLOG.id(), ClogRecord.ZEROPAGE, 0, prev, littleEndian(pageno)));
    }
    if (n % 500 == 300) prev = enc.append(XLogRecordFormat.encode(RmgrId.XLOG.id(), XlogRecord.NEXTOID, 0, prev, littleEndian(20_000 + (int) n)));
    return prev;
  }

  /** xl_running_xacts: xcnt, subxcnt, subxid_overflow (padded), nextXid, oldestRunningXid, latestCompletedXid, then the xids. */
  private static byte[] runningXacts(int xid) {
    ByteBuffer b = ByteBuffer.allocate(24 + 4 * RUNNING_XIDS).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(RUNNING_XIDS).putInt(0).putInt(0).putInt(xid + 1).putInt(xid - RUNNING_XIDS).putInt(xid - 1);
    for (int i = 0; i < RUNNING_XIDS; i++) b.putInt(xid - RUNNING_XIDS + i);
    return b.array();
  }

  private static byte[] littleEndian(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  /** HEAP2 VISIBLE: block 0 the visibility map's first page (with an image when given), block 1 the heap page. */
  private static byte[] visible(int xid, Lsn prev, int heapBlock, byte[] vmImage) {
    byte[] main = {(byte) (xid - 1), (byte) ((xid - 1) >>> 8), 0, 0, (byte) HeapRecord.VM_ALL_BITS};   // cutoff xid, flags
    return XLogRecordFormat.encodeWithBlocks(RmgrId.HEAP2.id(), HeapRecord.HEAP2_VISIBLE, 0, prev, List.of(
        new EncodedBlock(HEAP, ForkNumber.VM.ordinal(), 0, false, vmImage, 200, vmImage == null ? 0 : 3000, vmImage != null, new byte[0]),
        new EncodedBlock(HEAP, 0, heapBlock, false, null, 0, 0, false, new byte[0])), main);
  }

  /** A non-HOT UPDATE: the new version on another page (block 0, now and then a fresh one), the old page as block 1. */
  private static byte[] coldUpdate(long n, int xid, Lsn prev, int block, byte[] tuple) {
    boolean init = n % 80 == 0;
    byte[] update = new byte[14];
    update[7] = (byte) (n % 3 == 0 ? HeapRecord.UPDATE_OLD_ALL_VISIBLE_CLEARED | HeapRecord.UPDATE_NEW_ALL_VISIBLE_CLEARED : 0);
    return XLogRecordFormat.encodeWithBlocks(RmgrId.HEAP.id(), HeapRecord.UPDATE | (init ? HeapRecord.INIT_PAGE : 0), xid, prev, List.of(
        new EncodedBlock(HEAP, 0, (block + 7) % BLOCKS, init, null, 0, 0, false, tuple),
        new EncodedBlock(HEAP, 0, block, false, null, 0, 0, false, new byte[0])), update);
  }

  /** A row lock (SELECT … FOR UPDATE, a foreign key check), often the page's first change since a checkpoint. */
  private static byte[] lock(long n, int xid, Lsn prev, int block, byte[] page) {
    byte[] lock = {(byte) xid, (byte) (xid >>> 8), 0, 0, 1, 0, 0, (byte) (n % 2 == 0 ? HeapRecord.LOCK_ALL_FROZEN_CLEARED : 0)};
    boolean image = n % 3 == 0;
    if (image) fillPage(page, n + 2);
    return XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), HeapRecord.LOCK, xid, prev, HEAP, 0, block, false, image ? page : null, 200,
        image ? 3000 + (int) (n % 1000) : 0, image, new byte[0], lock);
  }

  /** A page with a header whose pd_lower and pd_upper bound the hole, and tuples' worth of bytes around it. */
  private static void fillPage(byte[] page, long n) {
    Arrays.fill(page, (byte) (n | 1));
    page[12] = (byte) 200;          // pd_lower
    page[13] = 0;
    int upper = 3200 + (int) (n % 1000);
    page[14] = (byte) upper;        // pd_upper
    page[15] = (byte) (upper >>> 8);
    Arrays.fill(page, 200, upper, (byte) 0);
  }
}
