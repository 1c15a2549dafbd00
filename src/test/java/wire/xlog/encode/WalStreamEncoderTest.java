package wire.xlog.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;
import wire.xlog.WalPageHeader;
import wire.xlog.XLogRecordFormat;

class WalStreamEncoderTest {
  private static final int SEG = 16 << 20;
  private static final WalIdentity ID = new WalIdentity(0x1234_5678_9ABC_DEF0L, 1, SEG);

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] record(int mainLen) {
    byte[] main = new byte[mainLen];
    Arrays.fill(main, (byte) 0x5A);
    return XLogRecordFormat.encode(0, 0x20, 0, Lsn.parse("0/100"), main);
  }

  @Test
  void recordHeaderDataHeaderAndCrcFollowPostgresRules() {
    byte[] shortRec = XLogRecordFormat.encode(0, 0x30, 7, Lsn.parse("0/1234"), new byte[] {1, 2, 3, 4});
    ByteBuffer b = le(shortRec);
    assertEquals(30, b.getInt(0));
    assertEquals(7, b.getInt(4));
    assertEquals(0x1234, b.getLong(8));
    assertEquals(0x30, b.get(16));
    assertEquals((byte) 0xFF, b.get(24));
    assertEquals(4, b.get(25));
    CRC32C crc = new CRC32C();
    crc.update(shortRec, 24, shortRec.length - 24);
    crc.update(shortRec, 0, 20);
    assertEquals((int) crc.getValue(), b.getInt(20));

    byte[] longRec = record(300);
    assertEquals((byte) 0xFE, longRec[24]);
    assertEquals(300, le(longRec).getInt(25));
    assertEquals(24 + 5 + 300, longRec.length);
  }

  @Test
  void zeroPrefixPageClaimsTheGapAsAContinuedRecord() {
    Lsn x = Lsn.parse("0/155F800");
    WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(ID, x);
    assertEquals(x, wal.append(record(10)));
    ByteBuffer page = le(wal.bytes());
    assertEquals(WalPageHeader.MAGIC, page.getShort(0) & 0xFFFF);
    assertEquals(WalPageHeader.FIRST_IS_CONTRECORD, page.getShort(2));
    assertEquals(x.pageStart().value(), page.getLong(8));
    assertEquals(0x1800 - 24, page.getInt(16));
  }

  @Test
  void recordCrossingAPageContinuesAfterAContrecordHeader() {
    Lsn x = Lsn.parse("0/1561FC8");
    WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(ID, x);
    byte[] rec = record(88);
    wal.append(rec);
    byte[] bytes = wal.bytes();
    ByteBuffer next = le(bytes).position(8192).slice().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(WalPageHeader.FIRST_IS_CONTRECORD, next.getShort(2));
    assertEquals(0x1562000L, next.getLong(8));
    assertEquals(rec.length - 56, next.getInt(16));
    byte[] reassembled = new byte[rec.length];
    System.arraycopy(bytes, 0x1FC8, reassembled, 0, 56);
    System.arraycopy(bytes, 8192 + 24, reassembled, 56, rec.length - 56);
    assertArrayEquals(rec, reassembled);
    assertEquals(Lsn.parse("0/1562018").plus(rec.length - 56), wal.end());
  }

  @Test
  void recordEndingAtAPageEndPutsTheNextOneAfterTheNextHeader() {
    Lsn x = Lsn.parse("0/1561F88");
    WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(ID, x);
    wal.append(record(0x2000 - 0x1F88 - 24 - 2));
    assertEquals(Lsn.parse("0/1562000"), wal.end());
    assertEquals(Lsn.parse("0/1562018"), wal.nextRecordStart());
    assertEquals(Lsn.parse("0/1562018"), wal.append(record(4)));
    assertEquals(0, le(wal.bytes()).getShort(8192 + 2));
  }

  @Test
  void recordCrossingASegmentGetsALongContrecordHeaderInTheNextFile() {
    Lsn x = Lsn.parse("0/1FFFFC8");
    WalStreamEncoder wal = WalStreamEncoder.withZeroPrefix(ID, x);
    byte[] rec = record(88);
    wal.append(rec);
    List<WalStreamEncoder.Segment> segs = wal.segments();
    assertEquals(2, segs.size());
    assertEquals("000000010000000000000001", segs.get(0).fileName());
    assertEquals("000000010000000000000002", segs.get(1).fileName());
    ByteBuffer first = le(segs.get(0).bytes());
    assertEquals(WalPageHeader.LONG_HEADER, first.getShort(2), "page 0 of the first file gets a plain long header");
    assertEquals(0x1000000L, first.getLong(8));
    assertEquals(ID.systemId(), first.getLong(24));
    assertEquals(SEG, first.getInt(32));
    assertEquals(8192, first.getInt(36));
    ByteBuffer second = le(segs.get(1).bytes());
    assertEquals(WalPageHeader.LONG_HEADER | WalPageHeader.FIRST_IS_CONTRECORD, second.getShort(2));
    assertEquals(rec.length - 56, second.getInt(16));
    assertEquals(rec[56], segs.get(1).bytes()[40]);
    assertEquals(SEG, segs.get(1).bytes().length);
  }

  @Test
  void continuingRealWalAppendsAtItsAlignedEnd() {
    byte[] existing = WalStreamEncoder.withZeroPrefix(ID, Lsn.parse("0/1000028")).bytes();
    byte[] withTail = Arrays.copyOf(existing, existing.length + 3);
    WalStreamEncoder wal = WalStreamEncoder.continuing(ID, Lsn.parse("0/1000000"), withTail);
    assertEquals(Lsn.parse("0/1000030"), wal.append(record(1)));
    assertArrayEquals(existing, Arrays.copyOf(wal.bytes(), existing.length));
  }

  @Test
  void positionsWhereNoRecordCanStartAreRefused() {
    for (String bad : List.of("0/1560000", "0/1560010", "0/155F804", "0/2000018")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> WalStreamEncoder.withZeroPrefix(ID, Lsn.parse(bad)));
      assertEquals(true, e.getMessage().contains(bad), e.getMessage());
    }
  }
}
