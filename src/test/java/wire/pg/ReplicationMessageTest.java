package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class ReplicationMessageTest {
  private static final long T = PgTime.toPg(Instant.parse("2026-11-22T01:02:03.456789Z"));

  @Test
  void everyReplicationMessageDecodesToItself() throws Exception {
    List<ReplicationMessage> all = List.of(
        new ReplicationMessage.XLogData(Lsn.parse("0/1000000"), Lsn.parse("0/1000100"), T, new byte[] {1, 2, 3}),
        new ReplicationMessage.XLogData(Lsn.parse("1/0"), Lsn.parse("1/0"), 0, new byte[0]),
        new ReplicationMessage.PrimaryKeepalive(Lsn.parse("0/16B3748"), T, true),
        new ReplicationMessage.StandbyStatusUpdate(Lsn.parse("0/3"), Lsn.parse("0/2"), Lsn.INVALID, T, false),
        new ReplicationMessage.HotStandbyFeedback(T, 750, 1, 3, 0));
    for (ReplicationMessage m : all) assertEquals(m, ReplicationMessage.decode(m.toCopyData().data()), m.toString());
  }

  @Test
  void goldenBytesFollowTheStreamingReplicationProtocol() {
    HexFormat hex = HexFormat.of();
    assertEquals("77" + "0000000001000000" + "0000000001000100" + "0000000000000001" + "0a0b",
        hex.formatHex(new ReplicationMessage.XLogData(Lsn.parse("0/1000000"), Lsn.parse("0/1000100"), 1, new byte[] {10, 11}).encode()));
    assertEquals("6b" + "0000000000000010" + "0000000000000002" + "01",
        hex.formatHex(new ReplicationMessage.PrimaryKeepalive(Lsn.of(16), 2, true).encode()));
    assertEquals("72" + "0000000000000003" + "0000000000000002" + "0000000000000001" + "0000000000000009" + "00",
        hex.formatHex(new ReplicationMessage.StandbyStatusUpdate(Lsn.of(3), Lsn.of(2), Lsn.of(1), 9, false).encode()));
    // each FullTransactionId as xid then epoch, as walreceiver.c sends them
    assertEquals("68" + "0000000000000005" + "000002ee" + "00000001" + "00000003" + "00000000",
        hex.formatHex(new ReplicationMessage.HotStandbyFeedback(5, 750, 1, 3, 0).encode()));
    assertEquals((1L << 32) | 750, new ReplicationMessage.HotStandbyFeedback(5, 750, 1, 3, 0).fullXmin());
  }

  @Test
  void damagedPayloadsGiveTypedErrors() {
    assertEquals("truncated replication message tag", error(new byte[0]));
    assertEquals("malformed replication message: unknown replication message type 'z'", error(new byte[] {'z', 0}));
    assertEquals("truncated PrimaryKeepalive reply requested", error(withTag('k', 17, 0)));
    assertEquals("malformed StandbyStatusUpdate: reply requested flag 2", error(withTag('r', 34, 2)));
    assertEquals("malformed HotStandbyFeedback: 1 unexpected trailing bytes", error(withTag('h', 26, 0)));
    assertEquals("truncated XLogData send time", error(withTag('w', 20, 0)));
  }

  @Test
  void pgTimeCountsMicrosecondsFrom2000() {
    assertEquals(0, PgTime.toPg(Instant.parse("2000-01-01T00:00:00Z")));
    assertEquals(-1, PgTime.toPg(Instant.parse("1999-12-31T23:59:59.999999Z")));
    assertEquals(Instant.parse("2026-11-22T01:02:03.456789Z"), PgTime.toInstant(T));
    assertEquals(Instant.parse("1999-12-31T23:59:59.999999Z"), PgTime.toInstant(-1));
  }

  private static byte[] withTag(char tag, int size, int last) {
    byte[] b = new byte[size];
    b[0] = (byte) tag;
    b[size - 1] = (byte) last;
    return b;
  }

  private static String error(byte[] payload) {
    return assertThrows(ProtocolException.class, () -> ReplicationMessage.decode(payload)).getMessage();
  }
}
