package wire.pgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SlruTest {
  @Test
  void clogArithmeticFollowsTwoBitsPerXact() {
    assertEquals(0, Clog.pageOf(32767));
    assertEquals(1, Clog.pageOf(32768));
    assertEquals(131071, Clog.pageOf(-1));
    assertEquals(1, Clog.byteInPage(32768 + 5));
    assertEquals(2, Clog.bitShift(5));
    assertEquals(1, Slru.segmentOf(Clog.pageOf(32 * 32768)));
    assertEquals("pg_xact/0000", Clog.fileName(0));
    assertEquals("pg_xact/0FFF", Clog.fileName(Slru.segmentOf(Clog.pageOf(-1))));
    assertEquals(0xFFF, Slru.parseSegment("0FFF"));
    assertEquals(-1, Slru.parseSegment("0ff"));
  }

  @Test
  void settingOneStatusLeavesItsNeighboursAlone() {
    byte[] page = new byte[8192];
    Clog.setStatus(page, 4, Clog.Status.COMMITTED);
    Clog.setStatus(page, 5, Clog.Status.ABORTED);
    Clog.setStatus(page, 7, Clog.Status.SUB_COMMITTED);
    Clog.setStatus(page, 4, Clog.Status.ABORTED);
    assertEquals((byte) 0b11_00_10_10, page[1]);
    assertEquals(Clog.Status.ABORTED, Clog.status(page, 4));
    assertEquals(Clog.Status.ABORTED, Clog.status(page, 5));
    assertEquals(Clog.Status.IN_PROGRESS, Clog.status(page, 6));
    assertEquals(Clog.Status.SUB_COMMITTED, Clog.status(page, 7));
  }

  @Test
  void multixactOffsetsAndMembersUsePg15Layouts() {
    assertEquals(2048, MultiXactSlru.OFFSETS_PER_PAGE);
    assertEquals(1636, MultiXactSlru.MEMBERS_PER_PAGE);
    assertEquals(1, MultiXactSlru.offsetsPage(2048));
    assertEquals(4, MultiXactSlru.offsetsEntryPosition(2049));
    assertEquals(1, MultiXactSlru.membersPage(1636));
    // member 5 is the second of group 1: flags at 20 + 1, xid at 20 + 4 + 4
    assertEquals(21, MultiXactSlru.memberFlagsPosition(5));
    assertEquals(28, MultiXactSlru.memberXidPosition(5));
    assertEquals(0, MultiXactSlru.memberFlagsPosition(1636));
    byte[] members = new byte[8192];
    MultiXactSlru.setMember(members, 1635, 900, 5);
    assertEquals(900, MultiXactSlru.memberXid(members, 1635));
    assertEquals(5, MultiXactSlru.memberStatus(members, 1635));
    assertEquals(408 * 20 + 3, MultiXactSlru.memberFlagsPosition(1635));
    byte[] offsets = new byte[8192];
    MultiXactSlru.setOffset(offsets, 2049, 77);
    assertEquals(77, MultiXactSlru.offset(offsets, 2049));
    assertEquals("pg_multixact/members/14077", MultiXactSlru.membersFileName(0x14077));
    assertEquals("pg_multixact/offsets/0001", MultiXactSlru.offsetsFileName(1));
  }
}
