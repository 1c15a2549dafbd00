package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import wire.pg.CopyData;
import wire.sk.ProposerMessage.AppendRequest;
import wire.xlog.Lsn;

class SafekeeperWireTest {
  @Test
  void anAppendFrameIsTheAppendRequestInACopyData() {
    byte[] wal = new byte[300];
    for (int i = 0; i < wal.length; i++) wal[i] = (byte) (i * 7);
    Lsn begin = Lsn.parse("1/FFFFFF00");
    AppendRequest a = new AppendRequest(0x80000001, 0xF000000000000002L, begin, begin.plus(wal.length), Lsn.parse("1/FFFFFE00"),
        Lsn.parse("1/10"), wal);
    assertArrayEquals(new CopyData(a.encode()).encode(), SafekeeperWire.appendFrame(a));
    AppendRequest empty = new AppendRequest(0, 5, begin, begin, Lsn.INVALID, Lsn.INVALID, new byte[0]);
    assertArrayEquals(new CopyData(empty.encode()).encode(), SafekeeperWire.appendFrame(empty));
  }
}
