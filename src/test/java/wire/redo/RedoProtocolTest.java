package wire.redo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;
import wire.pgdata.RelFileNode;

class RedoProtocolTest {
  private static final RelFileNode REL = new RelFileNode(1663, 5, (int) 4000000001L);

  @Test
  void aRequestIsBeginBaseImageOneApplyPerRecordAndGetInLittleEndian() {
    byte[] base = new byte[RedoProtocol.PAGE_SIZE];
    base[0] = 7;
    RedoRequest r = new RedoRequest(REL, 2, 0x01020304, base,
        List.of(new RedoRecord(new byte[] {9, 8, 7}, Lsn.of(0x10), Lsn.of(0x28))));
    ByteBuffer out = ByteBuffer.allocate(RedoProtocol.encodedSize(r));
    RedoProtocol.encode(r, out);
    assertEquals(0, out.remaining(), "encodedSize is exact");
    out.flip().order(ByteOrder.LITTLE_ENDIAN);

    assertEquals('B', out.get());
    assertEquals(17, out.getInt());
    assertEquals(1663, out.getInt());
    assertEquals(5, out.getInt());
    assertEquals(4000000001L, Integer.toUnsignedLong(out.getInt()));
    assertEquals(2, out.get());
    assertEquals(0x01020304, out.getInt());
    assertEquals('P', out.get());
    assertEquals(8192, out.getInt());
    byte[] image = new byte[8192];
    out.get(image);
    assertArrayEquals(base, image);
    assertEquals('A', out.get());
    assertEquals(16 + 3, out.getInt());
    assertEquals(0x10, out.getLong());
    assertEquals(0x28, out.getLong());
    assertEquals(9, out.get());
    assertEquals(8, out.get());
    assertEquals(7, out.get());
    assertEquals('G', out.get());
    assertEquals(0, out.getInt());
    assertEquals(0, out.remaining());
  }

  @Test
  void aRequestWithoutBaseImageHasNoPageMessage() {
    RedoRequest r = new RedoRequest(REL, 0, 0, null, List.of());
    ByteBuffer out = ByteBuffer.allocate(RedoProtocol.encodedSize(r));
    RedoProtocol.encode(r, out);
    assertEquals(5 + 17 + 5, out.position());
    assertEquals('G', out.get(5 + 17));
  }

  @Test
  void pageErrorAndHelloRepliesDecode() {
    byte[] page = new byte[RedoProtocol.PAGE_SIZE];
    Arrays.fill(page, (byte) 3);
    byte[] text = "bad CRC".getBytes(StandardCharsets.UTF_8);
    ByteBuffer in = ByteBuffer.allocate(3 * 5 + 12 + 8192 + 8 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    in.put((byte) 'V').putInt(12).putInt(1).putInt(150020).putInt(8192);
    in.put((byte) 'R').putInt(8192).put(page);
    in.put((byte) 'E').putInt(8 + text.length).putLong(0x16B3748L).put(text);
    in.flip();

    assertEquals(new RedoProtocol.Hello(1, 150020, 8192), RedoProtocol.decodeReply(in));
    assertArrayEquals(page, assertInstanceOf(RedoProtocol.Page.class, RedoProtocol.decodeReply(in)).bytes());
    assertEquals(new RedoProtocol.Failure(Lsn.parse("0/16B3748"), "bad CRC"), RedoProtocol.decodeReply(in));
    assertEquals(0, in.remaining());
  }

  @Test
  void anIncompleteFrameIsReportedAsNotYetThere() {
    ByteBuffer in = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    in.put((byte) 'R').putInt(8192).put((byte) 1).flip();
    assertEquals(5 + 8192, RedoProtocol.frameSize(in));
    assertEquals(-1, RedoProtocol.frameSize(in.slice(0, 4)));
    assertThrows(IllegalArgumentException.class, () -> RedoProtocol.decodeReply(in));
  }

  @Test
  void malformedRepliesAreRejectedWithTheReason() {
    assertTrue(reject('Z', 0).contains("unknown reply type 0x5a"));
    assertTrue(reject('R', 100).contains("page reply of 100 bytes"));
    assertTrue(reject('E', 4).contains("error reply of 4 bytes"));
    ByteBuffer huge = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'R').putInt(-1).flip();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RedoProtocol.frameSize(huge)).getMessage().contains("4294967295 bytes"));
  }

  private static String reject(char type, int len) {
    ByteBuffer in = ByteBuffer.allocate(5 + len).order(ByteOrder.LITTLE_ENDIAN).put((byte) type).putInt(len);
    in.position(in.limit()).flip();
    return assertThrows(IllegalArgumentException.class, () -> RedoProtocol.decodeReply(in)).getMessage();
  }
}
