package store.redo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/** The values applied in Java, checked byte by byte against offsets computed by hand. */
class NativeRedoTest {
  private static final Key VM0 = Key.relBlock(new RelTag(1663, 5, 16384, ForkNumber.VM), 0);
  private static final Key VM1 = Key.relBlock(new RelTag(1663, 5, 16384, ForkNumber.VM), 1);
  private static final Key CLOG0 = Key.slruBlock(SlruKind.CLOG, 0, 0);
  private static final Key OFFSETS1 = Key.slruBlock(SlruKind.MULTIXACT_OFFSETS, 0, 1);
  private static final Key MEMBERS1 = Key.slruBlock(SlruKind.MULTIXACT_MEMBERS, 0, 1);
  private static final long LSN = 0x1_016B_3748L;

  /** An initialised VM page (pd_lower 24, pd_upper and pd_special 8192) with every map bit set. */
  private static byte[] fullVmPage() {
    byte[] page = new byte[8192];
    Arrays.fill(page, 24, 8192, (byte) 0xFF);
    ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putShort(12, (short) 24).putShort(14, (short) 8192).putShort(16, (short) 8192);
    return page;
  }

  @Test
  void clearingVmFlagsClearsTheTwoBitsOfEachHeapBlockAndStampsTheLsn() throws Exception {
    byte[] page = fullVmPage();
    byte[] expected = page.clone();
    // heap block 5: map byte 5/4 = 1 (page byte 25), bits at (5%4)*2 = 2: 0xFF & ~0x0C
    expected[25] = (byte) 0xF3;
    // heap block 32671, the last on the page: map byte 8167 (page byte 8191), bits at 6: 0xFF & ~0xC0
    expected[8191] = (byte) 0x3F;
    // pd_lsn stays: PostgreSQL's visibilitymap_clear does not stamp the VM page

    byte[] out = NativeRedo.apply(VM0, LSN, page, new Value.ClearVmFlags(5, 32671, 3));
    assertSame(page, out, "applied in place");
    assertArrayEquals(expected, out);
  }

  @Test
  void clearingOnlyAllFrozenLeavesAllVisible() throws Exception {
    byte[] page = fullVmPage();
    // heap block 32678 is block 6 of VM page 1: map byte 1 (page byte 25), bits at 4; ALL_FROZEN (2) << 4 = 0x20
    NativeRedo.apply(VM1, LSN, page, new Value.ClearVmFlags(32678, -1, 2));
    assertEquals((byte) 0xDF, page[25]);
    byte[] rest = fullVmPage();
    rest[25] = page[25];
    assertArrayEquals(Arrays.copyOfRange(rest, 8, 8192), Arrays.copyOfRange(page, 8, 8192));
  }

  @Test
  void aNewVmPageStaysNewWithoutAnLsn() throws Exception {
    byte[] page = new byte[8192];
    NativeRedo.apply(VM0, LSN, page, new Value.ClearVmFlags(5, -1, 3));
    assertArrayEquals(new byte[8192], page);
  }

  @Test
  void aHeapBlockOfAnotherVmPageIsRefusedAndThePageIsLeftAlone() {
    byte[] page = fullVmPage();
    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> NativeRedo.apply(VM0, LSN, page, new Value.ClearVmFlags(5, 32672, 3)));
    assertEquals("redo failed for 1663/5/16384.vm.0 at 1/16B3748: ClearVmFlags heap block 32672 is on VM block 1, not 0", e.getMessage());
    assertEquals(ReconstructFailed.Kind.INVALID_VALUE, e.kind());
    assertArrayEquals(fullVmPage(), page, "the first block was not cleared either");
  }

  @Test
  void vmValuesOnAnythingButAVmPageAreRefused() {
    Key main = Key.relBlock(new RelTag(1663, 5, 16384, ForkNumber.MAIN), 0);
    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> NativeRedo.apply(main, LSN, fullVmPage(), new Value.TruncateVm(0, 0)));
    assertEquals("redo failed for 1663/5/16384.main.0 at 1/16B3748: a TruncateVm applies only to visibility map pages", e.getMessage());
  }

  @Test
  void truncatingTheVmKeepsTheBitsBeforeTheCut() throws Exception {
    byte[] page = fullVmPage();
    byte[] expected = page.clone();
    // map byte 3 (page byte 27) keeps its low 4 bits; map bytes 4.. (page bytes 28..) are zeroed
    expected[27] = 0x0F;
    Arrays.fill(expected, 28, 8192, (byte) 0);
    NativeRedo.apply(VM0, LSN, page, new Value.TruncateVm(3, 4));
    assertArrayEquals(expected, page, "no LSN either: PostgreSQL does not set one");
  }

  @Test
  void aCommitSetsTwoBitsPerXidAndAppendsTheTimestampBigEndian() throws Exception {
    byte[] page = new byte[8192];
    byte[] out = NativeRedo.apply(CLOG0, LSN, page, new Value.ClogSetCommitted(new int[] {5, 6, 32767}, 0x0102030405060708L));
    byte[] expected = new byte[8200];
    expected[1] = 0x14;        // xid 5: byte 1, bits 2-3 = 01; xid 6: byte 1, bits 4-5 = 01
    expected[8191] = 0x40;     // xid 32767: byte 8191, bits 6-7 = 01
    System.arraycopy(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, expected, 8192, 8);
    assertArrayEquals(expected, out);
  }

  @Test
  void aLaterCommitReplacesTheTrailerAndAnAbortKeepsIt() throws Exception {
    byte[] page = NativeRedo.apply(CLOG0, LSN, new byte[8192], new Value.ClogSetCommitted(new int[] {5}, 1L));
    byte[] again = NativeRedo.apply(CLOG0, LSN, page, new Value.ClogSetCommitted(new int[] {7}, 0x1122L));
    assertSame(page, again, "a page with a trailer is changed in place");
    byte[] aborted = NativeRedo.apply(CLOG0, LSN, again, new Value.ClogSetAborted(new int[] {8}));
    byte[] expected = new byte[8200];
    expected[1] = 0x44;        // xid 5 committed (bits 2-3), xid 7 committed (bits 6-7)
    expected[2] = 0x02;        // xid 8: byte 2, bits 0-1 = 10 (aborted)
    expected[8198] = 0x11;
    expected[8199] = 0x22;
    assertArrayEquals(expected, aborted);
  }

  @Test
  void anAbortOnAPageWithoutTrailerKeepsItsShape() throws Exception {
    byte[] out = NativeRedo.apply(CLOG0, LSN, new byte[8192], new Value.ClogSetAborted(new int[] {0, 3}));
    byte[] expected = new byte[8192];
    expected[0] = (byte) 0x82;   // xid 0 bits 0-1 = 10, xid 3 bits 6-7 = 10
    assertArrayEquals(expected, out);
  }

  @Test
  void clogXidsOfAnotherPageAreRefused() {
    // page 33 is block 1 of segment 0001; xid 33 * 32768 + 1 belongs there, xid 32768 does not.
    Key page33 = Key.slruBlock(SlruKind.CLOG, 1, 1);
    ReconstructFailed e = assertThrows(ReconstructFailed.class,
        () -> NativeRedo.apply(page33, LSN, new byte[8192], new Value.ClogSetCommitted(new int[] {33 * 32768 + 1, 32768}, 1L)));
    assertEquals("redo failed for pg_xact/0001 blk 1 at 1/16B3748: xid 32768 of the ClogSetCommitted is on CLOG page 1, not this one", e.getMessage());
  }

  @Test
  void aMultixactOffsetIsWrittenLittleEndianAtItsEntry() throws Exception {
    byte[] page = new byte[8192];
    // multixact 2049 is entry 1 of offsets page 1: bytes 4-7
    NativeRedo.apply(OFFSETS1, LSN, page, new Value.MultixactOffsetCreate(2049, 0x01020304));
    byte[] expected = new byte[8192];
    System.arraycopy(new byte[] {4, 3, 2, 1}, 0, expected, 4, 4);
    assertArrayEquals(expected, page);
    assertThrows(ReconstructFailed.class, () -> NativeRedo.apply(OFFSETS1, LSN, page, new Value.MultixactOffsetCreate(2048 * 2, 1)));
  }

  @Test
  void multixactMembersFillTheirGroupsFlagsAndXids() throws Exception {
    byte[] page = new byte[8192];
    // Offsets 1641-1644 are on members page 1 (1636 per page): 1641 % 1636 = 5, so group 1 (bytes
    // 20-39) members 1-3, then group 2 (bytes 40-59) member 0. A group: 4 flag bytes, then 4 xids.
    NativeRedo.apply(MEMBERS1, LSN, page, new Value.MultixactMembersCreate(1641, new int[] {100, 101, 102, 0x01020304}, new int[] {0, 1, 4, 5}));
    byte[] expected = new byte[8192];
    expected[21] = 0;
    expected[22] = 1;
    expected[23] = 4;
    expected[28] = 100;
    expected[32] = 101;
    expected[36] = 102;
    expected[40] = 5;
    System.arraycopy(new byte[] {4, 3, 2, 1}, 0, expected, 44, 4);
    assertArrayEquals(expected, page);
  }

  @Test
  void membersThatRunOntoTheNextPageAreRefused() {
    byte[] page = new byte[8192];
    // 3271 is the last offset of page 1; 3272 starts page 2.
    ReconstructFailed e = assertThrows(ReconstructFailed.class,
        () -> NativeRedo.apply(MEMBERS1, LSN, page, new Value.MultixactMembersCreate(3271, new int[] {1, 2}, new int[] {0, 0})));
    assertEquals("redo failed for pg_multixact/members/0000 blk 1 at 1/16B3748: member offset 3272 is on members page 2, not this one", e.getMessage());
    assertArrayEquals(new byte[8192], page);
  }

  @Test
  void slruValuesOnTheWrongSlruOrWithoutAPageAreRefused() {
    ReconstructFailed wrongKind = assertThrows(ReconstructFailed.class,
        () -> NativeRedo.apply(OFFSETS1, LSN, new byte[8192], new Value.ClogSetAborted(new int[] {1})));
    assertEquals("a ClogSetAborted applies only to pg_xact pages", wrongKind.reason());
    ReconstructFailed noPage = assertThrows(ReconstructFailed.class,
        () -> NativeRedo.apply(CLOG0, LSN, null, new Value.ClogSetAborted(new int[] {1})));
    assertEquals("a ClogSetAborted needs a page to apply to, and the history has none below it", noPage.reason());
    ReconstructFailed shortPage = assertThrows(ReconstructFailed.class,
        () -> NativeRedo.apply(MEMBERS1, LSN, new byte[100], new Value.MultixactMembersCreate(1641, new int[] {1}, new int[] {0})));
    assertEquals("the page under the MultixactMembersCreate is 100 bytes, not 8192", shortPage.reason());
  }

  @Test
  void postgresRecordsAndImagesAreNotNative() {
    assertThrows(ReconstructFailed.class, () -> NativeRedo.apply(VM0, LSN, fullVmPage(), new Value.PgRecord(false, 1, 2, new byte[24])));
    assertThrows(ReconstructFailed.class, () -> NativeRedo.apply(VM0, LSN, fullVmPage(), new Value.Image(new byte[8192])));
  }
}
