package wire.xlog.rmgr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.WireFormatException;
import wire.pgdata.CheckPoint;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.rmgr.MultiXactRecord.Member;
import wire.xlog.rmgr.MultiXactRecord.Status;

class RmgrParsersTest {
  @Test
  void xlogCheckpointNextOidSwitchAndFpi() throws Exception {
    CheckPoint cp = new CheckPoint(Lsn.parse("0/155F800"), 1, 1, true, 735, 16391, 1, 0, 716, 1, 1, 1, 99, 0, 0, 0);
    // the low info bits belong to the WAL machinery and must not change the record type
    assertEquals(new XlogRecord.Checkpoint(true, cp), XlogRecord.parse(0x01, ByteBuffer.wrap(cp.encode())));
    assertEquals(new XlogRecord.Checkpoint(false, cp), XlogRecord.parse(0x10, ByteBuffer.wrap(cp.encode())));
    assertEquals(new XlogRecord.NextOid(24576), XlogRecord.parse(0x30, new Le().u32(24576).buf()));
    assertEquals(new XlogRecord.Switch(), XlogRecord.parse(0x40, ByteBuffer.allocate(0)));
    assertEquals(new XlogRecord.FullPageImage(false), XlogRecord.parse(0xB0, ByteBuffer.allocate(0)));
    assertEquals(new XlogRecord.FullPageImage(true), XlogRecord.parse(0xA0, ByteBuffer.allocate(0)));
    assertEquals(new XlogRecord.Other(0x20), XlogRecord.parse(0x20, ByteBuffer.allocate(3)));
    WireFormatException e = assertThrows(WireFormatException.class, () -> XlogRecord.parse(0x00, ByteBuffer.allocate(87)));
    assertEquals("87", e.value());
  }

  @Test
  void smgrCreateAndTruncate() throws Exception {
    assertEquals(new SmgrRecord.Create(new RelTag(1663, 5, 16384, ForkNumber.FSM)),
        SmgrRecord.parse(0x10, new Le().u32(1663).u32(5).u32(16384).u32(1).buf()));
    SmgrRecord.Truncate t = (SmgrRecord.Truncate) SmgrRecord.parse(0x20, new Le().u32(10).u32(1663).u32(5).u32(16384).u32(5).buf());
    assertEquals(10, t.blkno());
    assertEquals(new RelFileNode(1663, 5, 16384), t.rel());
    assertTrue(t.truncatesHeap() && t.truncatesFsm() && !t.truncatesVm());
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> SmgrRecord.parse(0x10, new Le().u32(1663).u32(5).u32(16384).u32(7).buf()));
    assertEquals("forkNum", e.field());
    assertThrows(WireFormatException.class, () -> SmgrRecord.parse(0x20, new Le().u32(10).u32(1663).buf()));
  }

  @Test
  void dbaseCreateBothStrategiesAndDrop() throws Exception {
    assertEquals(new DbaseRecord.CreateFileCopy(16390, 1663, 1, 1663),
        DbaseRecord.parse(0x00, new Le().u32(16390).u32(1663).u32(1).u32(1663).buf()));
    assertEquals(new DbaseRecord.CreateWalLog(16390, 1663), DbaseRecord.parse(0x10, new Le().u32(16390).u32(1663).buf()));
    assertEquals(new DbaseRecord.Drop(16390, List.of(1663, 16500)),
        DbaseRecord.parse(0x20, new Le().u32(16390).u32(2).u32(1663).u32(16500).buf()));
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> DbaseRecord.parse(0x20, new Le().u32(16390).u32(-1).buf()));
    assertEquals("ntablespaces", e.field());
  }

  @Test
  void clogZeroPageAndTruncate() throws Exception {
    assertEquals(new ClogRecord.ZeroPage(3), ClogRecord.parse(0x00, new Le().u32(3).buf()));
    assertEquals(new ClogRecord.Truncate(64, 3_000_000, 1), ClogRecord.parse(0x10, new Le().u32(64).u32(3_000_000).u32(1).buf()));
    assertThrows(WireFormatException.class, () -> ClogRecord.parse(0x10, new Le().u32(64).buf()));
  }

  @Test
  void multixactPagesCreateAndTruncate() throws Exception {
    assertEquals(new MultiXactRecord.ZeroOffsetsPage(2), MultiXactRecord.parse(0x00, new Le().u32(2).buf()));
    assertEquals(new MultiXactRecord.ZeroMembersPage(7), MultiXactRecord.parse(0x10, new Le().u32(7).buf()));
    assertEquals(new MultiXactRecord.CreateId(12, 40, List.of(new Member(800, Status.FOR_KEY_SHARE), new Member(801, Status.UPDATE))),
        MultiXactRecord.parse(0x20, new Le().u32(12).u32(40).u32(2).u32(800).u32(0).u32(801).u32(5).buf()));
    assertEquals(new MultiXactRecord.TruncateId(1, 1, 5, 0, 9),
        MultiXactRecord.parse(0x30, new Le().u32(1).u32(1).u32(5).u32(0).u32(9).buf()));
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> MultiXactRecord.parse(0x20, new Le().u32(12).u32(40).u32(1).u32(800).u32(6).buf()));
    assertEquals("members[0].status", e.field());
    e = assertThrows(WireFormatException.class, () -> MultiXactRecord.parse(0x20, new Le().u32(12).u32(40).u32(1000).buf()));
    assertEquals("nmembers", e.field());
  }

  @Test
  void relmapUpdateCarriesItsBytes() throws Exception {
    byte[] map = new byte[512];
    map[0] = 0x17;
    RelmapRecord r = RelmapRecord.parse(0x00, new Le().u32(0).u32(1664).u32(512).bytes(map).buf());
    assertEquals(0, r.dbId());
    assertEquals(1664, r.tsId());
    assertArrayEquals(map, r.data());
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> RelmapRecord.parse(0x00, new Le().u32(0).u32(1664).u32(513).bytes(map).buf()));
    assertEquals("nbytes", e.field());
  }

  @Test
  void heapFlagsThatClearVisibilityMapBits() throws Exception {
    // xl_heap_insert: offnum u16, flags u8
    assertEquals(3, HeapRecord.parseHeap(0x80, new Le().u16(5).u8(1).buf()).vmBitsClearedOnNewPage());
    assertEquals(0, HeapRecord.parseHeap(0x00, new Le().u16(5).u8(8).buf()).vmBitsClearedOnNewPage());
    // xl_heap_delete: xmax, offnum, infobits, flags
    assertEquals(3, HeapRecord.parseHeap(0x10, new Le().u32(700).u16(1).u8(0).u8(1).buf()).vmBitsClearedOnNewPage());
    // xl_heap_update: old page bit 0, new page bit 1
    HeapRecord u = HeapRecord.parseHeap(0x20, new Le().u32(700).u16(1).u8(0).u8(1).u32(0).u16(2).buf());
    assertEquals(3, u.vmBitsClearedOnOldPage());
    assertEquals(0, u.vmBitsClearedOnNewPage());
    HeapRecord hot = HeapRecord.parseHeap(0x40, new Le().u32(700).u16(1).u8(0).u8(2).u32(0).u16(2).buf());
    assertEquals(new HeapRecord.Update(true, 2), hot);
    assertEquals(3, hot.vmBitsClearedOnNewPage());
    // lock records clear only ALL_FROZEN
    assertEquals(2, HeapRecord.parseHeap(0x60, new Le().u32(700).u16(1).u8(0).u8(1).buf()).vmBitsClearedOnNewPage());
    assertEquals(2, HeapRecord.parseHeap2(0x60, new Le().u32(700).u16(1).u8(0).u8(1).buf()).vmBitsClearedOnNewPage());
    // xl_heap_multi_insert: flags first
    assertEquals(new HeapRecord.Insert(true, 1), HeapRecord.parseHeap2(0x50, new Le().u8(1).u8(0).u16(3).buf()));
    assertEquals(new HeapRecord.Visible(716, 3), HeapRecord.parseHeap2(0x40, new Le().u32(716).u8(3).buf()));
    assertEquals(new HeapRecord.Other(RmgrId.HEAP2.id(), 0x10), HeapRecord.parseHeap2(0x10, ByteBuffer.allocate(0)));
    WireFormatException e = assertThrows(WireFormatException.class, () -> HeapRecord.parseHeap(0x10, new Le().u32(1).buf()));
    assertEquals("HEAP DELETE", e.format());
  }
}
