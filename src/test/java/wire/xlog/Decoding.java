package wire.xlog;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/** Test helper: runs a WalDecoder over WAL bytes in memory, fed in chunks of chosen sizes. */
public final class Decoding {
  private Decoding() {}

  /** Every record in {@code wal[from - start, end - start)}, fed in chunks whose sizes come from chunkSizes. */
  public static List<WalRecord> all(WalDecoder decoder, byte[] wal, Lsn start, Lsn from, Lsn end, IntSupplier chunkSizes)
      throws WalFormatException {
    List<WalRecord> out = new ArrayList<>();
    int at = (int) from.minus(start);
    int stop = (int) end.minus(start);
    while (at < stop) {
      int n = Math.min(Math.max(1, chunkSizes.getAsInt()), stop - at);
      decoder.feed(ByteBuffer.wrap(wal, at, n));
      at += n;
      for (WalRecord r; (r = decoder.next()) != null; ) out.add(r);
    }
    return out;
  }
}
