package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.CheckPoint;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;
import wire.xlog.XLogRecordFormat;

/** Records without block references, built byte for byte as PostgreSQL 15 lays them out, through WalIngest. */
class WalIngestTest {
  private static final RelTag HEAP = new RelTag(1663, 5, 16384, ForkNumber.MAIN);
  private static final CheckPoint INITIAL = new CheckPoint(Lsn.of(0x100), 1, 1, true, 2000, 16384, 1, 0, 700, 1, 1, 1,
      0, 0, 0, 0);

  private final MemoryStore store = new MemoryStore();
  private DatadirModification m;
  private WalIngest ingest;
  private long lsn = 0x1000;

  @BeforeEach
  void setUp() throws Exception {
    DatadirModification setup = new DatadirModification(store.at(Lsn.of(0x100)), store);
    setup.putCheckpoint(INITIAL.encode());
    setup.commit();
    m = new DatadirModification(store.at(Lsn.of(0x100)), store);
    ingest = WalIngest.load(store.at(Lsn.of(0x100)));
  }

  private WalRecord record(RmgrId rmgr, int info, int xid, byte[] mainData) throws Exception {
    byte[] raw = XLogRecordFormat.encode(rmgr.id(), info, xid, Lsn.of(lsn - 0x40), mainData);
    Lsn start = Lsn.of(lsn);
    lsn = (lsn + raw.length + 7) & ~7L;
    return XLogRecordFormat.parse(ByteBuffer.wrap(raw), start, Lsn.of(lsn));
  }

  private void ingest(RmgrId rmgr, int info, int xid, ByteBuffer mainData) throws Exception {
    byte[] data = new byte[mainData.flip().remaining()];
    mainData.get(data);
    ingest.ingest(record(rmgr, info, xid, data), m);
    store.accept(m.drain());
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private Datadir now() {
    return store.at(Lsn.of(lsn));
  }

  @Test
  void nextXidAdvancesRoundedUpTo1024AndRewritesTheCheckpointKeyOnlyWhenItMoves() throws Exception {
    ingest(RmgrId.XLOG, 0x20, 2500, le(0)); // NOOP with an xid
    assertEquals(3072, ingest.checkpoint().nextXid());
    assertEquals(3072, CheckPoint.decode(now().checkpoint()).nextXid());
    int keysBefore = store.data.get(Key.checkpoint()).size();
    ingest(RmgrId.XLOG, 0x20, 3000, le(0));
    assertEquals(keysBefore, store.data.get(Key.checkpoint()).size(), "3001 rounds to 3072: no new version");
  }

  @Test
  void smgrTruncateCutsMainAndKeepsThePageHoldingTheCutInFsmAndVm() throws Exception {
    m.createRelation(HEAP, 70000);
    m.createRelation(HEAP.withFork(ForkNumber.FSM), 20);
    m.createRelation(HEAP.withFork(ForkNumber.VM), 3);
    store.accept(m.drain());
    ingest(RmgrId.SMGR, 0x20, 0, smgrTruncate(40000, 0x7));
    Datadir d = now();
    assertEquals(40000, d.relSizeOrMinusOne(HEAP));
    // heap block 40000 is slot 3379 of FSM leaf 9, physical page 9 + 1 (level 1) + 1 (root) = 11
    assertEquals(12, d.relSizeOrMinusOne(HEAP.withFork(ForkNumber.FSM)));
    assertArrayEquals(new byte[8192], d.get(Key.relBlock(HEAP.withFork(ForkNumber.FSM), 11)));
    // heap block 40000 is on VM page 1, heap block 7328 of it: byte 1832, bit 0
    assertEquals(2, d.relSizeOrMinusOne(HEAP.withFork(ForkNumber.VM)));
    Value vm = store.data.get(Key.relBlock(HEAP.withFork(ForkNumber.VM), 1)).lastEntry().getValue();
    assertEquals(new Value.TruncateVm(1832, 0), vm);

    ingest(RmgrId.SMGR, 0x20, 0, smgrTruncate(32672, 0x7));
    assertEquals(1, now().relSizeOrMinusOne(HEAP.withFork(ForkNumber.VM)), "a cut on a VM page boundary keeps no page");
    assertEquals(11, now().relSizeOrMinusOne(HEAP.withFork(ForkNumber.FSM)));
    ingest(RmgrId.SMGR, 0x20, 0, smgrTruncate(50000, 0x1));
    assertEquals(32672, now().relSizeOrMinusOne(HEAP), "truncation never grows a fork");
    assertEquals(-(30000 + 8 + 1) - (7328 + 1 + 1), ingest.logicalSizeBlocks(), "blocks cut from the three forks");
  }

  private static ByteBuffer smgrTruncate(int blkno, int flags) {
    return le(20).putInt(blkno).putInt(HEAP.spcNode()).putInt(HEAP.dbNode()).putInt(HEAP.relNode()).putInt(flags);
  }

  @Test
  void commitSetsClogBitsPerPageDropsRelationsAndAbortMarksAborted() throws Exception {
    m.createRelation(HEAP, 2);
    m.createRelation(HEAP.withFork(ForkNumber.FSM), 3);
    store.accept(m.drain());
    // xl_xact_commit: xact_time; xinfo (XLOG_XACT_HAS_INFO); subxacts; relfilenodes
    ByteBuffer commit = le(8 + 4 + 4 + 12 + 4 + 12).putLong(777L).putInt(0x2 | 0x4)
        .putInt(3).putInt(32767).putInt(32768).putInt(32769)
        .putInt(1).putInt(HEAP.spcNode()).putInt(HEAP.dbNode()).putInt(HEAP.relNode());
    ingest(RmgrId.XACT, 0x80, 32766, commit);
    Map<Integer, Value> clog = new TreeMap<>();
    for (int page = 0; page < 2; page++) {
      clog.put(page, store.data.get(Key.slruBlock(SlruKind.CLOG, 0, page)).lastEntry().getValue());
    }
    assertEquals(new Value.ClogSetCommitted(new int[] {32766, 32767}, 777L), clog.get(0));
    assertEquals(new Value.ClogSetCommitted(new int[] {32768, 32769}, 777L), clog.get(1));
    assertFalse(now().relExists(HEAP));
    assertFalse(now().relExists(HEAP.withFork(ForkNumber.FSM)));
    assertEquals(-5, ingest.logicalSizeBlocks(), "both forks' blocks left the logical size");
    assertEquals(32768, ingest.checkpoint().nextXid(), "nextXid follows xl_xid: 32767 rounded up");

    ingest(RmgrId.XACT, 0x20, 40000, le(8).putLong(5L)); // ABORT, no xinfo
    assertEquals(new Value.ClogSetAborted(new int[] {40000}),
        store.data.get(Key.slruBlock(SlruKind.CLOG, 0, 1)).lastEntry().getValue());
  }

  @Test
  void prepareStoresTheStateAndCommitPreparedRemovesIt() throws Exception {
    byte[] state = prepareState(901);
    ingest(RmgrId.XACT, 0x10, 901, le(state.length).put(state));
    assertEquals(List.of(901), List.copyOf(now().twoPhaseXids().numbers()));
    assertArrayEquals(state, now().twoPhaseFile(901));
    // COMMIT_PREPARED: xact_time, xinfo = HAS_TWOPHASE, twophase_xid
    ingest(RmgrId.XACT, 0x30 | 0x80, 0, le(16).putLong(1L).putInt(0x10).putInt(901));
    assertTrue(now().twoPhaseXids().numbers().isEmpty());
    assertEquals(new Value.ClogSetCommitted(new int[] {901}, 1L),
        store.data.get(Key.slruBlock(SlruKind.CLOG, 0, 0)).lastEntry().getValue());
  }

  /** xl_xact_prepare with no gid, subxacts or relations: 72 bytes. */
  private static byte[] prepareState(int xid) {
    ByteBuffer b = le(72).putInt(0x57F94534).putInt(72).putInt(xid).putInt(5).putLong(123L).putInt(10);
    return b.array();
  }

  @Test
  void shutdownCheckpointStoresItsEndAsRedoAndOldestActiveFromPreparedTransactions() throws Exception {
    byte[] state = prepareState(1500);
    ingest(RmgrId.XACT, 0x10, 1500, le(state.length).put(state));
    CheckPoint rec = new CheckPoint(Lsn.of(lsn), 1, 1, true, 1501, 20000, 1, 0, 800, 1, 1, 1, 99, 0, 0, 0);
    WalRecord r = record(RmgrId.XLOG, 0x00, 0, rec.encode());
    ingest.ingest(r, m);
    store.accept(m.drain());
    CheckPoint stored = CheckPoint.decode(now().checkpoint());
    assertEquals(r.endLsn(), stored.redo());
    assertEquals(1500, stored.oldestActiveXid(), "the prepared xid is older than nextXid 2048");
    assertEquals(800, stored.oldestXid(), "oldestXid only advances");
    assertEquals(16384, stored.nextOid(), "nextOid comes from NEXTOID records");

    ingest(RmgrId.XLOG, 0x10, 0, le(88).put(rec.encode())); // online
    assertEquals(Lsn.INVALID, CheckPoint.decode(now().checkpoint()).redo());
    ingest(RmgrId.XLOG, 0x30, 0, le(4).putInt(24576)); // NEXTOID
    assertEquals(24576, CheckPoint.decode(now().checkpoint()).nextOid());
    ingest(RmgrId.STANDBY, 0x10, 0, le(24).putInt(0).putInt(0).putInt(0).putInt(1900).putInt(1777).putInt(1899));
    assertEquals(1777, CheckPoint.decode(now().checkpoint()).oldestActiveXid());
  }

  @Test
  void clogZeroPagesExtendSegmentsAndTruncationDropsWholeSegmentsBeforeTheCutoff() throws Exception {
    for (int page : new int[] {0, 40, 70, 75}) ingest(RmgrId.CLOG, 0x00, 0, le(4).putInt(page));
    assertEquals(List.of(0, 1, 2), List.copyOf(now().slruSegments(SlruKind.CLOG).numbers()));
    assertEquals(9, now().slruSegmentSize(SlruKind.CLOG, 1), "pages 32..40, the gap zero-filled");
    assertArrayEquals(new byte[8192], now().slruPage(SlruKind.CLOG, 1, 3));
    assertEquals(12, now().slruSegmentSize(SlruKind.CLOG, 2));
    ingest(RmgrId.XLOG, 0x20, 75 * 32768 + 10, le(0)); // nextXid onto page 75
    ingest(RmgrId.CLOG, 0x10, 0, le(12).putInt(64).putInt(64 * 32768).putInt(1));
    assertEquals(List.of(2), List.copyOf(now().slruSegments(SlruKind.CLOG).numbers()));
    assertEquals(64 * 32768, ingest.checkpoint().oldestXid());
  }

  @Test
  void multixactMembersSpanningAPageBecomeOneValuePerPage() throws Exception {
    int moff = 1636 * 3 - 2;
    ByteBuffer create = le(12 + 5 * 8).putInt(42).putInt(moff).putInt(5);
    for (int i = 0; i < 5; i++) create.putInt(5000 + i).putInt(i % 2 == 0 ? 0 : 5);
    ingest(RmgrId.MULTIXACT, 0x20, 0, create);
    // Multixact 43 is on the same offsets page: its starting offset (moff + 5) rides along.
    assertEquals(new Value.MultixactOffsetCreate(42, moff, moff + 5),
        store.data.get(Key.slruBlock(SlruKind.MULTIXACT_OFFSETS, 0, 0)).lastEntry().getValue());
    assertEquals(new Value.MultixactMembersCreate(moff, new int[] {5000, 5001}, new int[] {0, 5}),
        store.data.get(Key.slruBlock(SlruKind.MULTIXACT_MEMBERS, 0, 2)).lastEntry().getValue());
    assertEquals(new Value.MultixactMembersCreate(moff + 2, new int[] {5002, 5003, 5004}, new int[] {0, 5, 0}),
        store.data.get(Key.slruBlock(SlruKind.MULTIXACT_MEMBERS, 0, 3)).lastEntry().getValue());
    assertEquals(43, ingest.checkpoint().nextMulti());
    assertEquals(moff + 5, ingest.checkpoint().nextMultiOffset());
    assertEquals(5120, ingest.checkpoint().nextXid(), "past the largest member xid 5004, rounded up");
  }

  @Test
  void relmapUpdateAddsTheDatabaseWithAnEmptyDirectory() throws Exception {
    byte[] map = new byte[512];
    map[0] = 0x17;
    ingest(RmgrId.RELMAP, 0x00, 0, le(12 + 512).putInt(16400).putInt(1663).putInt(512).put(map));
    assertArrayEquals(map, now().relmap(1663, 16400));
    assertTrue(now().dbDirectory().dbs().get(new wire.keyspace.Directories.Db(1663, 16400)));
    assertTrue(now().get(Key.relDir(1663, 16400)) != null && now().relDirectory(1663, 16400).rels().isEmpty());
    assertInstanceOf(Value.Image.class, store.data.get(Key.relmap(1663, 16400)).lastEntry().getValue());
  }

  @Test
  void anFpiRecordStoresThePageWithItsHoleZeroedAndTheEndLsnAndZeroPagesBeforeIt() throws Exception {
    byte[] page = new byte[8192];
    java.util.Arrays.fill(page, (byte) 7);
    ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0).putShort(12, (short) 28).putShort(14, (short) 8000);
    Lsn start = Lsn.of(lsn), end = Lsn.of(lsn + 0x2010);
    WalRecord r = new RecordWithBlocks().image(HEAP, 3, page, 28, 8000 - 28).build(RmgrId.XLOG.id(), 0xB0, 0, new byte[0], start, end);
    ingest.ingest(r, m);
    store.accept(m.drain());
    byte[] expected = page.clone();
    java.util.Arrays.fill(expected, 28, 8000, (byte) 0);
    WalIngest.PageHeader.setLsn(expected, end.value());
    Datadir d = store.at(end);
    assertArrayEquals(expected, d.get(Key.relBlock(HEAP, 3)));
    assertEquals(end.value(), WalIngest.PageHeader.lsn(d.get(Key.relBlock(HEAP, 3))));
    assertEquals(4, d.relSizeOrMinusOne(HEAP));
    for (int b = 0; b < 3; b++) assertArrayEquals(new byte[8192], d.get(Key.relBlock(HEAP, b)), "block " + b);
    assertEquals(4, ingest.logicalSizeBlocks());
  }

  @Test
  void otherRecordsAreStoredWholeForEachBlockWithWillInitFromTheirFlags() throws Exception {
    Lsn start = Lsn.of(lsn), end = Lsn.of(lsn + 0x48);
    // HEAP INSERT + INIT_PAGE, BKPBLOCK_WILL_INIT; xl_heap_insert {offnum 1, flags 0}
    WalRecord r = new RecordWithBlocks().block(HEAP, 0, 0x40).block(HEAP.withFork(ForkNumber.FSM), 2, 0)
        .build(RmgrId.HEAP.id(), 0x80, 900, new byte[] {1, 0, 0}, start, end);
    ingest.ingest(r, m);
    store.accept(m.drain());
    Value.PgRecord heap = (Value.PgRecord) store.data.get(Key.relBlock(HEAP, 0)).get(end.value());
    assertTrue(heap.willInit());
    assertEquals(start.value(), heap.startLsn());
    assertEquals(end.value(), heap.endLsn());
    assertArrayEquals(r.rawBytes(), heap.record());
    assertFalse(((Value.PgRecord) store.data.get(Key.relBlock(HEAP.withFork(ForkNumber.FSM), 2)).get(end.value())).willInit());
    assertEquals(3, store.at(end).relSizeOrMinusOne(HEAP.withFork(ForkNumber.FSM)), "created and extended by the reference");
  }

  @Test
  void heapRecordsClearVisibilityBitsOnTheVmPagesOfTheirHeapPages() throws Exception {
    RelTag vm = HEAP.withFork(ForkNumber.VM);
    m.createRelation(HEAP, 70001);
    m.createRelation(vm, 2);
    store.accept(m.drain());
    // UPDATE: block 0 the new page (VM page 1), block 1 the old page (VM page 0); flags at +7 clear both
    byte[] update = le(14).putInt(0).putShort((short) 1).put((byte) 0).put((byte) 0x03).putInt(0).putShort((short) 2).array();
    Lsn s1 = Lsn.of(lsn), e1 = Lsn.of(lsn + 0x60);
    ingest.ingest(new RecordWithBlocks().block(HEAP, 40000, 0).block(HEAP, 5, 0).build(RmgrId.HEAP.id(), 0x20, 950, update, s1, e1), m);
    // LOCK clears only ALL_FROZEN; INSERT into a heap page beyond the VM clears nothing
    Lsn s2 = Lsn.of(e1.value()), e2 = Lsn.of(e1.value() + 0x40);
    byte[] lock = le(8).putInt(950).putShort((short) 3).put((byte) 0).put((byte) 0x01).array();
    ingest.ingest(new RecordWithBlocks().block(HEAP, 7, 0).build(RmgrId.HEAP.id(), 0x60, 950, lock, s2, e2), m);
    Lsn s3 = Lsn.of(e2.value()), e3 = Lsn.of(e2.value() + 0x40);
    ingest.ingest(new RecordWithBlocks().block(HEAP, 70000, 0).build(RmgrId.HEAP.id(), 0x00, 950, new byte[] {1, 0, 1}, s3, e3), m);
    store.accept(m.drain());
    assertEquals(new Value.ClearVmFlags(40000, -1, 3), store.data.get(Key.relBlock(vm, 1)).get(e1.value()));
    assertEquals(new Value.ClearVmFlags(-1, 5, 3), store.data.get(Key.relBlock(vm, 0)).get(e1.value()));
    assertEquals(new Value.ClearVmFlags(7, -1, 2), store.data.get(Key.relBlock(vm, 0)).get(e2.value()));
    assertEquals(2, store.data.get(Key.relBlock(vm, 0)).size());
    assertEquals(1, store.data.get(Key.relBlock(vm, 1)).size());
    assertEquals(2, store.at(e3).relSizeOrMinusOne(vm), "a clear beyond the VM neither writes nor extends it");
  }
}
