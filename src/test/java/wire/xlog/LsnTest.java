package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LsnTest {
  private static final long SEG = Lsn.DEFAULT_SEGMENT_SIZE;

  @Test
  void parsesAndFormatsLikePostgres() {
    assertEquals("0/16B3748", Lsn.parse("0/16B3748").toString());
    assertEquals(0x1_0000_0000L + 0xAB, Lsn.parse("1/ab").value());
    assertEquals("FFFFFFFF/FFFFFFFF", new Lsn(-1L).toString());
  }

  @Test
  void rejectsMalformedTextNamingIt() {
    for (String bad : new String[] {"", "16B3748", "0/", "/1", "0/xyz", "123456789/0", "0/123456789"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lsn.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void comparesUnsigned() {
    assertTrue(new Lsn(-1L).isAfter(new Lsn(1)));
    assertTrue(Lsn.parse("0/1").isBefore(Lsn.parse("1/0")));
  }

  @Test
  void segmentArithmeticMatchesPostgresFileNames() {
    Lsn lsn = Lsn.parse("1/2345678");
    assertEquals("000000010000000100000002", lsn.segmentFileName(1, SEG));
    assertEquals(0x345678, lsn.segmentOffset(SEG));
    assertEquals(lsn.segmentNumber(SEG), Lsn.segmentNumberOf("000000010000000100000002.partial", SEG));
    assertEquals(Lsn.parse("1/2000000"), lsn.segmentStart(SEG));
    assertEquals(0x1678, lsn.pageOffset());
    assertEquals(Lsn.parse("1/2344000"), lsn.pageStart());
    assertEquals(Lsn.parse("0/10"), Lsn.parse("0/9").maxAlign());
    assertThrows(IllegalArgumentException.class, () -> Lsn.segmentNumberOf("00000001000000010000000Z", SEG));
  }
}
