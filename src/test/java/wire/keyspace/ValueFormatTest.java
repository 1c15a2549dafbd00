package wire.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueFormatTest {
  private static final List<Value> EVERY_VARIANT = List.of(
      new Value.Image(new byte[] {1, 2, 3}),
      new Value.PgRecord(true, 0x1_0000_0028L, 0x1_0000_0060L, new byte[] {9, 8, 7, 6}),
      new Value.ClearVmFlags(12, -1, 3),
      new Value.TruncateVm(100, 4),
      new Value.ClogSetCommitted(new int[] {700, 701}, 123456789L),
      new Value.ClogSetAborted(new int[] {702}),
      new Value.MultixactOffsetCreate(5, 10, 12),
      new Value.MultixactMembersCreate(10, new int[] {800, 801}, new int[] {1, 4}));

  @Test
  void everyVariantRoundTrips() {
    for (Value v : EVERY_VARIANT) {
      byte[] bytes = ValueFormat.encode(v);
      assertEquals(ValueFormat.encodedLength(v), bytes.length, v.toString());
      assertArrayEquals(bytes, ValueFormat.encode(ValueFormat.decode(bytes)), v.toString());
    }
  }

  @Test
  void encodeIntoWritesTheSameBytesAtThePositionAndNothingElse() {
    for (Value v : EVERY_VARIANT) {
      byte[] alone = ValueFormat.encode(v);
      byte[] dst = new byte[alone.length + 10];
      Arrays.fill(dst, (byte) 0x5A);
      java.nio.ByteBuffer at = java.nio.ByteBuffer.wrap(dst).position(7);
      ValueFormat.encodeInto(v, at);
      assertEquals(7 + alone.length, at.position(), v + " position after");
      assertArrayEquals(alone, Arrays.copyOfRange(dst, 7, 7 + alone.length), v.toString());
      for (int i = 0; i < 7; i++) assertEquals(0x5A, dst[i], v + " byte " + i);
      for (int i = 7 + alone.length; i < dst.length; i++) assertEquals(0x5A, dst[i], v + " byte " + i);
    }
  }

  @Test
  void pgRecordLayoutIsTagInitLsnsThenTheRecord() {
    byte[] b = ValueFormat.encode(new Value.PgRecord(true, 0x0102030405060708L, 0x1112131415161718L, new byte[] {(byte) 0xEE}));
    assertArrayEquals(new byte[] {2, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, (byte) 0xEE}, b);
  }
}
