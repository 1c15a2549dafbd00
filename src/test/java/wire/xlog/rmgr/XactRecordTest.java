package wire.xlog.rmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.WireFormatException;
import wire.pgdata.RelFileNode;
import wire.xlog.Lsn;
import wire.xlog.rmgr.XactRecord.Completion;
import wire.xlog.rmgr.XactRecord.Kind;
import wire.xlog.rmgr.XactRecord.Prepare;

class XactRecordTest {
  private static final int ALL_PARTS = XactRecord.XINFO_HAS_DBINFO | XactRecord.XINFO_HAS_SUBXACTS
      | XactRecord.XINFO_HAS_RELFILENODES | XactRecord.XINFO_HAS_DROPPED_STATS | XactRecord.XINFO_HAS_INVALS
      | XactRecord.XINFO_HAS_TWOPHASE | XactRecord.XINFO_HAS_GID | XactRecord.XINFO_HAS_ORIGIN;

  /** A COMMIT_PREPARED with every optional part, in ParseCommitRecord's order. */
  private static byte[] fullCommit() {
    return new Le().u64(7_000_000L).u32(ALL_PARTS)
        .u32(16384).u32(1663)                                  // dbinfo
        .u32(2).u32(801).u32(802)                              // subxacts
        .u32(1).u32(1663).u32(16384).u32(24576)                // relfilenodes
        .u32(1).zeros(12)                                      // dropped stats
        .u32(2).zeros(32)                                      // invalidations
        .u32(777).bytes("tx-1\0".getBytes(StandardCharsets.UTF_8)) // twophase xid, gid
        .u64(0x16B3748L).u64(123L)                             // origin, unaligned
        .array();
  }

  @Test
  void commitPreparedWithEveryPartIsParsedInOrder() throws Exception {
    Completion c = (Completion) XactRecord.parse(XactRecord.COMMIT_PREPARED | XactRecord.HAS_INFO, ByteBuffer.wrap(fullCommit()));
    assertEquals(Kind.COMMIT_PREPARED, c.kind());
    assertEquals(7_000_000L, c.xactTime());
    assertEquals(16384, c.dbId());
    assertEquals(1663, c.tsId());
    assertEquals(List.of(801, 802), c.subxacts());
    assertEquals(List.of(new RelFileNode(1663, 16384, 24576)), c.droppedRelations());
    assertEquals(1, c.droppedStats());
    assertEquals(2, c.invalidations());
    assertEquals(777, c.twophaseXid());
    assertEquals("tx-1", c.gid());
    assertEquals(Lsn.parse("0/16B3748"), c.originLsn());
    assertEquals(123L, c.originTimestamp());
  }

  @Test
  void plainCommitWithoutXinfoIsJustATime() throws Exception {
    Completion c = (Completion) XactRecord.parse(XactRecord.COMMIT, new Le().u64(5).buf());
    assertEquals(Kind.COMMIT, c.kind());
    assertEquals(0, c.xinfo());
    assertEquals(List.of(), c.subxacts());
  }

  @Test
  void abortHasNoInvalidationsButSubxactsAndDroppedRelations() throws Exception {
    byte[] abort = new Le().u64(9).u32(XactRecord.XINFO_HAS_SUBXACTS | XactRecord.XINFO_HAS_RELFILENODES)
        .u32(1).u32(900).u32(2).u32(1663).u32(5).u32(1).u32(1663).u32(5).u32(2).array();
    Completion c = (Completion) XactRecord.parse(XactRecord.ABORT | XactRecord.HAS_INFO, ByteBuffer.wrap(abort));
    assertEquals(Kind.ABORT, c.kind());
    assertEquals(List.of(900), c.subxacts());
    assertEquals(2, c.droppedRelations().size());
    assertEquals(false, c.kind().isCommit());
  }

  @Test
  void everyTruncationOfACommitIsATypedError() {
    byte[] full = fullCommit();
    for (int len = 0; len < full.length; len++) {
      ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(full, len));
      assertThrows(WireFormatException.class, () -> XactRecord.parse(XactRecord.COMMIT_PREPARED | XactRecord.HAS_INFO, cut),
          "cut to " + len);
    }
  }

  @Test
  void absurdSubxactCountIsNamed() {
    ByteBuffer bad = new Le().u64(1).u32(XactRecord.XINFO_HAS_SUBXACTS).u32(Integer.MAX_VALUE).buf();
    WireFormatException e = assertThrows(WireFormatException.class, () -> XactRecord.parse(0x80, bad));
    assertEquals("nsubxacts", e.field());
  }

  private static byte[] prepare(int magic) {
    return new Le().u32(magic).u32(0).u32(745).u32(5).u64(8_000L).u32(10)
        .u32(1).u32(1).u32(1).u32(0).u32(0).u32(3).u8(0).u8(0).u16(4)
        .u64(0).u64(0)
        .bytes("gid\0".getBytes(StandardCharsets.UTF_8)).zeros(4)          // gid, MAXALIGNed
        .u32(746).zeros(4)                                               // subxacts
        .u32(1663).u32(5).u32(16400).zeros(4)                            // commit rels
        .u32(1663).u32(5).u32(16401).zeros(4)                            // abort rels
        .zeros(48)                                                       // invalidation messages
        .array();
  }

  @Test
  void prepareHeaderAndArraysAreParsedPastTheirPadding() throws Exception {
    Prepare p = assertInstanceOf(Prepare.class, XactRecord.parse(XactRecord.PREPARE, ByteBuffer.wrap(prepare(XactRecord.TWOPHASE_MAGIC))));
    assertEquals(745, p.xid());
    assertEquals(5, p.database());
    assertEquals(8_000L, p.preparedAt());
    assertEquals(10, p.owner());
    assertEquals("gid", p.gid());
    assertEquals(List.of(746), p.subxacts());
    assertEquals(List.of(new RelFileNode(1663, 5, 16400)), p.commitRelations());
    assertEquals(List.of(new RelFileNode(1663, 5, 16401)), p.abortRelations());
    assertEquals(3, p.invalidations());
  }

  @Test
  void prepareWithAWrongMagicIsNamed() {
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> XactRecord.parse(XactRecord.PREPARE, ByteBuffer.wrap(prepare(0x12345678))));
    assertEquals("magic", e.field());
    assertEquals("0x12345678", e.value());
  }

  @Test
  void assignmentIsNotInterpreted() throws Exception {
    assertEquals(new XactRecord.Other(XactRecord.ASSIGNMENT), XactRecord.parse(XactRecord.ASSIGNMENT, ByteBuffer.allocate(0)));
  }
}
