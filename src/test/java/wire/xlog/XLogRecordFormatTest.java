package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import wire.pgdata.RelFileNode;

class XLogRecordFormatTest {
  private static final Lsn AT = Lsn.parse("0/16B3748");
  private static final Lsn PREV = Lsn.parse("0/16B3700");

  private static ByteBuffer direct(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  @Test
  void anEncodedRecordParsesBackFromHeapAndDirectBuffers() throws WalFormatException {
    byte[] main = new byte[300]; // over 255 bytes: the long data header
    main[0] = 7;
    main[299] = 9;
    byte[] rec = XLogRecordFormat.encode(RmgrId.XLOG.id(), 0x30, 12345, PREV, main);
    for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.wrap(rec), direct(rec)}) {
      WalRecord r = XLogRecordFormat.parse(buf, AT, AT.plus(rec.length));
      assertEquals(RmgrId.XLOG, r.rmgr());
      assertEquals(0x30, r.info());
      assertEquals(12345, r.xid());
      assertEquals(PREV, r.prev());
      assertEquals(rec.length, r.totalLength());
      assertEquals(ByteBuffer.wrap(main), r.mainData());
      assertEquals(ByteBuffer.wrap(rec), r.raw(), "the raw view stays whole after the CRC was checked");
      assertTrue(r.blocks().isEmpty());
    }
  }

  @Test
  void aChangedByteFailsTheCrc() {
    byte[] rec = XLogRecordFormat.encode(RmgrId.XLOG.id(), 0x20, 0, PREV, new byte[] {1, 2, 3});
    rec[rec.length - 1] ^= 1;
    WalFormatException e = assertThrows(WalFormatException.class,
        () -> XLogRecordFormat.parse(direct(rec), AT, AT.plus(rec.length)));
    assertEquals(WalFormatException.Kind.BAD_CRC, e.kind());
    assertEquals(AT, e.lsn());
  }

  @Test
  void aRecordWithOneBlockParsesBackWithItsImageDataAndMainData() throws WalFormatException {
    byte[] page = new byte[BlockImage.PAGE_SIZE];
    for (int i = 0; i < page.length; i++) page[i] = (byte) (i * 31 + 1);
    java.util.Arrays.fill(page, 100, 8000, (byte) 0);   // the hole: left out of the record, zeros when restored
    byte[] data = {5, 6, 7};
    byte[] main = {1, 2};
    RelFileNode rel = new RelFileNode(1663, 5, 16384);
    byte[] rec = XLogRecordFormat.encodeWithBlock(RmgrId.HEAP.id(), 0x00, 77, PREV, rel, 0, 42, false, page, 100, 7900, true,
        data, main);
    WalRecord r = XLogRecordFormat.parse(ByteBuffer.wrap(rec), AT, AT.plus(rec.length));
    assertEquals(1, r.blocks().size());
    BlockRef b = r.block(0);
    assertEquals(rel, b.rel());
    assertEquals(42, b.blockNumber());
    assertTrue(b.hasImage() && b.image().isApplied());
    assertEquals(ByteBuffer.wrap(page), ByteBuffer.wrap(b.image().restorePage()));
    assertEquals(ByteBuffer.wrap(data), b.data());
    assertEquals(ByteBuffer.wrap(main), r.mainData());
  }
}
