package wire.keyspace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bytes of a {@link Value}: a one-byte tag, then the variant's fields big-endian. Byte arrays carry
 * no length: they run to the end of the value (a layer file stores each value's length).
 */
public final class ValueFormat {
  /** The first byte of an encoded {@link Value.Image}; the page bytes follow it. */
  public static final byte IMAGE_TAG = 1;
  private static final byte IMAGE = IMAGE_TAG, PG_RECORD = 2, CLEAR_VM = 3, TRUNCATE_VM = 4, CLOG_COMMITTED = 5, CLOG_ABORTED = 6,
      MULTI_OFFSET = 7, MULTI_MEMBERS = 8;

  private ValueFormat() {}

  public static byte[] encode(Value v) {
    byte[] out = new byte[encodedLength(v)];
    encodeInto(v, ByteBuffer.wrap(out));
    return out;
  }

  /** The length of {@link #encode}'s result, computed without encoding. */
  public static int encodedLength(Value v) {
    if (v instanceof Value.Image i) return 1 + i.bytes().length;
    if (v instanceof Value.PgRecord r) return 1 + 1 + 16 + r.record().length;
    if (v instanceof Value.ClearVmFlags) return 1 + 16 + 1;
    if (v instanceof Value.TruncateVm) return 1 + 8;
    if (v instanceof Value.ClogSetCommitted c) return 1 + 8 + 4 * c.xids().length;
    if (v instanceof Value.ClogSetAborted c) return 1 + 4 * c.xids().length;
    if (v instanceof Value.MultixactOffsetCreate) return 1 + 12;
    if (v instanceof Value.MultixactMembersCreate m) return 1 + 4 + 8 * m.xids().length;
    throw new IllegalArgumentException("unknown value " + v);
  }

  /**
   * Writes {@link #encode}'s bytes at {@code dst}'s position, which advances by
   * {@link #encodedLength}; {@code dst} becomes big-endian. An in-memory layer stores values this
   * way, without a temporary array per value.
   */
  public static void encodeInto(Value v, ByteBuffer dst) {
    ByteBuffer b = dst.order(ByteOrder.BIG_ENDIAN);
    if (v instanceof Value.Image i) {
      b.put(IMAGE).put(i.bytes());
    } else if (v instanceof Value.PgRecord r) {
      b.put(PG_RECORD).put((byte) (r.willInit() ? 1 : 0)).putLong(r.startLsn()).putLong(r.endLsn()).put(r.record());
    } else if (v instanceof Value.ClearVmFlags c) {
      b.put(CLEAR_VM).putLong(c.newHeapBlock()).putLong(c.oldHeapBlock()).put((byte) c.flags());
    } else if (v instanceof Value.TruncateVm t) {
      b.put(TRUNCATE_VM).putInt(t.truncByte()).putInt(t.truncOffset());
    } else if (v instanceof Value.ClogSetCommitted c) {
      b.put(CLOG_COMMITTED).putLong(c.commitTimestamp());
      for (int x : c.xids()) b.putInt(x);
    } else if (v instanceof Value.ClogSetAborted c) {
      b.put(CLOG_ABORTED);
      for (int x : c.xids()) b.putInt(x);
    } else if (v instanceof Value.MultixactOffsetCreate m) {
      b.put(MULTI_OFFSET).putInt(m.multi()).putInt(m.offset()).putInt(m.nextOffset());
    } else if (v instanceof Value.MultixactMembersCreate m) {
      b.put(MULTI_MEMBERS).putInt(m.offset());
      for (int i = 0; i < m.xids().length; i++) b.putInt(m.xids()[i]).putInt(m.statuses()[i]);
    } else {
      throw new IllegalArgumentException("unknown value " + v);
    }
  }

  /** Decodes one value from all the remaining bytes; a bad tag or a short value names what was wrong. */
  public static Value decode(ByteBuffer in) {
    ByteBuffer b = in.slice().order(ByteOrder.BIG_ENDIAN);
    if (!b.hasRemaining()) throw new IllegalArgumentException("empty value");
    byte tag = b.get();
    try {
      switch (tag) {
        case IMAGE:
          return new Value.Image(rest(b));
        case PG_RECORD: {
          boolean willInit = b.get() != 0;
          long start = b.getLong(), end = b.getLong();
          return new Value.PgRecord(willInit, start, end, rest(b));
        }
        case CLEAR_VM:
          return new Value.ClearVmFlags(b.getLong(), b.getLong(), b.get() & 0xFF);
        case TRUNCATE_VM:
          return new Value.TruncateVm(b.getInt(), b.getInt());
        case CLOG_COMMITTED: {
          long ts = b.getLong();
          return new Value.ClogSetCommitted(ints(b), ts);
        }
        case CLOG_ABORTED:
          return new Value.ClogSetAborted(ints(b));
        case MULTI_OFFSET:
          return new Value.MultixactOffsetCreate(b.getInt(), b.getInt(), b.getInt());
        case MULTI_MEMBERS: {
          int offset = b.getInt();
          if (b.remaining() % 8 != 0) throw new IllegalArgumentException("multixact members value has " + b.remaining() + " trailing bytes");
          int n = b.remaining() / 8;
          int[] xids = new int[n], statuses = new int[n];
          for (int i = 0; i < n; i++) {
            xids[i] = b.getInt();
            statuses[i] = b.getInt();
          }
          return new Value.MultixactMembersCreate(offset, xids, statuses);
        }
        default:
          throw new IllegalArgumentException("unknown value tag " + tag);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("value with tag " + tag + " is truncated");
    }
  }

  public static Value decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  private static byte[] rest(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static int[] ints(ByteBuffer b) {
    if (b.remaining() % 4 != 0) throw new IllegalArgumentException("xid list has " + b.remaining() + " bytes, not a multiple of 4");
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) out[i] = b.getInt();
    return out;
  }
}
