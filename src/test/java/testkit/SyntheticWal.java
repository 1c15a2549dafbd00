package testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.XLogRecordFormat;
import wire.xlog.encode.WalIdentity;
import wire.xlog.encode.WalStreamEncoder;
import wire.xlog.rmgr.XlogRecord;

/**
 * Valid WAL without a PostgreSQL server: XLOG NOOP records laid out by the encoder from a record
 * start, for tests of code that stores or forwards WAL.
 */
public final class SyntheticWal {
  public static final long SYSTEM_ID = 7_000_000_000_000_000_001L;

  private final Lsn start;
  private final byte[] bytes;          // from start
  private final List<Lsn> recordEnds;  // MAXALIGNed ends, as safekeepers report them

  private SyntheticWal(Lsn start, byte[] bytes, List<Lsn> recordEnds) {
    this.start = start;
    this.bytes = bytes;
    this.recordEnds = recordEnds;
  }

  /** {@code count} records of about {@code size} bytes each, the first at {@code start}. */
  public static SyntheticWal records(Lsn start, int count, int size) {
    WalIdentity id = new WalIdentity(SYSTEM_ID, 1, (int) Lsn.DEFAULT_SEGMENT_SIZE);
    WalStreamEncoder enc = WalStreamEncoder.withZeroPrefix(id, start);
    List<Lsn> ends = new ArrayList<>();
    Lsn prev = Lsn.INVALID;
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[size];
      Arrays.fill(payload, (byte) i);
      prev = enc.append(XLogRecordFormat.encode(RmgrId.XLOG.id(), XlogRecord.NOOP, 0, prev, payload));
      ends.add(enc.end().maxAlign());
    }
    byte[] all = enc.bytes();
    int skip = (int) start.minus(enc.start());
    return new SyntheticWal(start, Arrays.copyOfRange(all, skip, all.length), ends);
  }

  public Lsn start() {
    return start;
  }

  public Lsn end() {
    return start.plus(bytes.length);
  }

  public List<Lsn> recordEnds() {
    return recordEnds;
  }

  /** The bytes of [from, to). */
  public byte[] slice(Lsn from, Lsn to) {
    return Arrays.copyOfRange(bytes, (int) from.minus(start), (int) to.minus(start));
  }
}
