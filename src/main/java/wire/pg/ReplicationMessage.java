package wire.pg;

import java.util.Arrays;
import wire.xlog.Lsn;

/**
 * The streaming-replication messages that travel inside CopyData (protocol.sgml, "Streaming
 * Replication Protocol"): XLogData and keepalives from the server, status updates and hot standby
 * feedback from the standby. All integers are big-endian; times are {@link PgTime} microseconds.
 */
public sealed interface ReplicationMessage {
  /** The CopyData payload. */
  byte[] encode();

  default CopyData toCopyData() {
    return new CopyData(encode());
  }

  static ReplicationMessage decode(byte[] payload) throws ProtocolException {
    if (payload.length == 0) throw new ProtocolException(new ProtocolError.Truncated("replication message", "tag"));
    char tag = (char) (payload[0] & 0xff);
    String name = switch (tag) {
      case XLogData.TAG -> "XLogData";
      case PrimaryKeepalive.TAG -> "PrimaryKeepalive";
      case StandbyStatusUpdate.TAG -> "StandbyStatusUpdate";
      case HotStandbyFeedback.TAG -> "HotStandbyFeedback";
      default -> throw new ProtocolException(new ProtocolError.Malformed("replication message",
          "unknown replication message type " + ProtocolError.Names.type(tag)));
    };
    MessageReader r = new MessageReader(payload, name);
    r.int8("tag");
    ReplicationMessage m = switch (tag) {
      case XLogData.TAG -> new XLogData(Lsn.of(r.int64("start")), Lsn.of(r.int64("end")), r.int64("send time"), r.rest());
      case PrimaryKeepalive.TAG -> new PrimaryKeepalive(Lsn.of(r.int64("wal end")), r.int64("send time"), flag(r));
      case StandbyStatusUpdate.TAG -> new StandbyStatusUpdate(Lsn.of(r.int64("write")), Lsn.of(r.int64("flush")),
          Lsn.of(r.int64("apply")), r.int64("send time"), flag(r));
      default -> new HotStandbyFeedback(r.int64("send time"), r.int32("xmin"), r.int32("xmin epoch"),
          r.int32("catalog xmin"), r.int32("catalog xmin epoch"));
    };
    r.end();
    return m;
  }

  private static boolean flag(MessageReader r) throws ProtocolException {
    byte b = r.int8("reply requested");
    if (b != 0 && b != 1) throw r.malformed("reply requested flag " + b);
    return b == 1;
  }

  private static MessageWriter writer(char tag) {
    return MessageWriter.raw().int8(tag);
  }

  /** WAL bytes {@code data} starting at {@code start}; {@code end} is the sender's current end of WAL. */
  record XLogData(Lsn start, Lsn end, long sendTime, byte[] data) implements ReplicationMessage {
    public static final char TAG = 'w';
    /** Tag and three int64s before the WAL bytes. */
    public static final int HEADER_SIZE = 25;

    /** Takes ownership of {@code data}: WAL is not copied on the hot path. */
    public XLogData {
      java.util.Objects.requireNonNull(data, "data");
    }

    /** The LSN just past the bytes in this message. */
    public Lsn dataEnd() {
      return start.plus(data.length);
    }

    @Override public byte[] encode() {
      return writer(TAG).int64(start.value()).int64(end.value()).int64(sendTime).bytes(data).finish();
    }
    @Override public boolean equals(Object o) {
      return o instanceof XLogData x && start.equals(x.start) && end.equals(x.end) && sendTime == x.sendTime && Arrays.equals(data, x.data);
    }
    @Override public int hashCode() { return start.hashCode() * 31 + Arrays.hashCode(data); }
    @Override public String toString() { return "XLogData[start=" + start + ", end=" + end + ", " + data.length + " bytes]"; }
  }

  record PrimaryKeepalive(Lsn walEnd, long sendTime, boolean replyRequested) implements ReplicationMessage {
    public static final char TAG = 'k';
    @Override public byte[] encode() {
      return writer(TAG).int64(walEnd.value()).int64(sendTime).int8(replyRequested ? 1 : 0).finish();
    }
  }

  /** The standby's positions; PostgreSQL sends an invalid LSN (0) for positions it does not track. */
  record StandbyStatusUpdate(Lsn write, Lsn flush, Lsn apply, long sendTime, boolean replyRequested)
      implements ReplicationMessage {
    public static final char TAG = 'r';
    @Override public byte[] encode() {
      return writer(TAG).int64(write.value()).int64(flush.value()).int64(apply.value()).int64(sendTime)
          .int8(replyRequested ? 1 : 0).finish();
    }
  }

  /** Oldest xmin the standby needs; each full transaction id is sent as xid then epoch (two int32s). */
  record HotStandbyFeedback(long sendTime, int xmin, int xminEpoch, int catalogXmin, int catalogXminEpoch)
      implements ReplicationMessage {
    public static final char TAG = 'h';

    public long fullXmin() {
      return ((long) xminEpoch << 32) | (xmin & 0xffffffffL);
    }

    public long fullCatalogXmin() {
      return ((long) catalogXminEpoch << 32) | (catalogXmin & 0xffffffffL);
    }

    @Override public byte[] encode() {
      return writer(TAG).int64(sendTime).int32(xmin).int32(xminEpoch).int32(catalogXmin).int32(catalogXminEpoch).finish();
    }
  }
}
