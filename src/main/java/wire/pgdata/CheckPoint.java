package wire.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.Lsn;

/**
 * PostgreSQL 15's {@code CheckPoint} struct (x86-64, little-endian, 88 bytes): the main data of
 * XLOG_CHECKPOINT_SHUTDOWN/ONLINE records and {@code checkPointCopy} in pg_control. Padding is
 * written as zeros so that the same values always give the same bytes (they are under a CRC).
 *
 * @param nextXid a FullTransactionId: epoch in the high 32 bits, xid in the low 32
 */
public record CheckPoint(
    Lsn redo,
    int thisTimeLineId,
    int prevTimeLineId,
    boolean fullPageWrites,
    long nextXid,
    int nextOid,
    int nextMulti,
    int nextMultiOffset,
    int oldestXid,
    int oldestXidDb,
    int oldestMulti,
    int oldestMultiDb,
    long time,
    int oldestCommitTsXid,
    int newestCommitTsXid,
    int oldestActiveXid) {

  public static final int SIZE = 88;
  private static final String FORMAT = "CheckPoint";

  public int nextXidEpoch() {
    return (int) (nextXid >>> 32);
  }

  /** The 32-bit xid part of {@link #nextXid()}. */
  public int nextXidValue() {
    return (int) nextXid;
  }

  /** Reads 88 bytes from the buffer's position (which advances), in the buffer's byte order. */
  public static CheckPoint decode(ByteBuffer in) throws WireFormatException {
    FieldReader r = FieldReader.littleEndian(FORMAT, in);
    if (r.remaining() < SIZE) throw r.error("(size)", r.remaining(), "a CheckPoint needs " + SIZE + " bytes");
    Lsn redo = new Lsn(r.i64("redo"));
    int tli = r.i32("ThisTimeLineID");
    int prevTli = r.i32("PrevTimeLineID");
    boolean fpw = r.bool("fullPageWrites");
    r.skip("padding", 7);
    long nextXid = r.i64("nextXid");
    int nextOid = r.i32("nextOid");
    int nextMulti = r.i32("nextMulti");
    int nextMultiOffset = r.i32("nextMultiOffset");
    int oldestXid = r.i32("oldestXid");
    int oldestXidDb = r.i32("oldestXidDB");
    int oldestMulti = r.i32("oldestMulti");
    int oldestMultiDb = r.i32("oldestMultiDB");
    r.skip("padding", 4);
    long time = r.i64("time");
    int oldestCommitTsXid = r.i32("oldestCommitTsXid");
    int newestCommitTsXid = r.i32("newestCommitTsXid");
    int oldestActiveXid = r.i32("oldestActiveXid");
    r.skip("padding", 4);
    in.position(in.position() + SIZE);
    return new CheckPoint(redo, tli, prevTli, fpw, nextXid, nextOid, nextMulti, nextMultiOffset, oldestXid,
        oldestXidDb, oldestMulti, oldestMultiDb, time, oldestCommitTsXid, newestCommitTsXid, oldestActiveXid);
  }

  public static CheckPoint decode(byte[] bytes) throws WireFormatException {
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Writes the 88 bytes at the buffer's position (which advances). */
  public void encodeTo(ByteBuffer out) {
    ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(redo.value()).putInt(thisTimeLineId).putInt(prevTimeLineId);
    b.put((byte) (fullPageWrites ? 1 : 0)).put(new byte[7]);
    b.putLong(nextXid).putInt(nextOid).putInt(nextMulti).putInt(nextMultiOffset);
    b.putInt(oldestXid).putInt(oldestXidDb).putInt(oldestMulti).putInt(oldestMultiDb).putInt(0);
    b.putLong(time).putInt(oldestCommitTsXid).putInt(newestCommitTsXid).putInt(oldestActiveXid).putInt(0);
    out.position(out.position() + SIZE);
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    encodeTo(b);
    return b.array();
  }

  public CheckPoint withRedo(Lsn newRedo) {
    return new CheckPoint(newRedo, thisTimeLineId, prevTimeLineId, fullPageWrites, nextXid, nextOid, nextMulti,
        nextMultiOffset, oldestXid, oldestXidDb, oldestMulti, oldestMultiDb, time, oldestCommitTsXid,
        newestCommitTsXid, oldestActiveXid);
  }

  public CheckPoint withTime(long newTime) {
    return new CheckPoint(redo, thisTimeLineId, prevTimeLineId, fullPageWrites, nextXid, nextOid, nextMulti,
        nextMultiOffset, oldestXid, oldestXidDb, oldestMulti, oldestMultiDb, newTime, oldestCommitTsXid,
        newestCommitTsXid, oldestActiveXid);
  }
}
