package wire.sk;

import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.xlog.Lsn;

/**
 * What a pageserver reports about one timeline, relayed by safekeepers to the proposer:
 * {@code nkeys u8}, then per key {@code name cstring | len i32 | value}. Readers skip keys they do
 * not know using {@code len}, so new keys can be added. {@code shard_number} is sent only when
 * non-zero and {@code corruption_detected} only when true.
 *
 * @param replyTimeMicros microseconds since 2000-01-01 00:00 UTC (PostgreSQL's epoch)
 */
public record PageserverFeedback(long currentTimelineSize, Lsn lastReceivedLsn, Lsn diskConsistentLsn,
    Lsn remoteConsistentLsn, long replyTimeMicros, int shardNumber, boolean corruptionDetected) {

  private static final String SIZE = "current_timeline_size", WRITE = "ps_writelsn", FLUSH = "ps_flushlsn",
      APPLY = "ps_applylsn", TIME = "ps_replytime", SHARD = "shard_number", CORRUPTION = "corruption_detected";

  void encodeTo(FieldWriter w) {
    int n = 5 + (shardNumber != 0 ? 1 : 0) + (corruptionDetected ? 1 : 0);
    w.u8(n);
    w.cstring(SIZE).u32(8).u64(currentTimelineSize);
    w.cstring(WRITE).u32(8).u64(lastReceivedLsn.value());
    w.cstring(FLUSH).u32(8).u64(diskConsistentLsn.value());
    w.cstring(APPLY).u32(8).u64(remoteConsistentLsn.value());
    w.cstring(TIME).u32(8).u64(replyTimeMicros);
    if (shardNumber != 0) w.cstring(SHARD).u32(4).u32(Integer.toUnsignedLong(shardNumber));
    if (corruptionDetected) w.cstring(CORRUPTION).u32(1).u8(1);
  }

  static PageserverFeedback decode(FieldReader r) throws WireFormatException {
    int n = r.u8("feedback.nkeys");
    long size = 0, write = 0, flush = 0, apply = 0, time = 0;
    int shard = 0;
    boolean corruption = false;
    for (int i = 0; i < n; i++) {
      String key = r.cstring("feedback.key[" + i + "]");
      int len = r.i32("feedback." + key + ".len");
      if (len < 0 || len > r.remaining()) {
        throw r.error("feedback." + key + ".len", len, "exceeds the " + r.remaining() + " bytes left");
      }
      switch (key) {
        case SIZE -> size = u64(r, key, len);
        case WRITE -> write = u64(r, key, len);
        case FLUSH -> flush = u64(r, key, len);
        case APPLY -> apply = u64(r, key, len);
        case TIME -> time = u64(r, key, len);
        case SHARD -> shard = (int) fixed(r, key, len, 4);
        case CORRUPTION -> corruption = fixed(r, key, len, 1) != 0;
        default -> r.skip("feedback." + key, len);
      }
    }
    return new PageserverFeedback(size, new Lsn(write), new Lsn(flush), new Lsn(apply), time, shard, corruption);
  }

  private static long u64(FieldReader r, String key, int len) throws WireFormatException {
    return fixed(r, key, len, 8);
  }

  private static long fixed(FieldReader r, String key, int len, int expected) throws WireFormatException {
    if (len != expected) throw r.error("feedback." + key + ".len", len, "expected " + expected);
    return switch (expected) {
      case 1 -> r.u8("feedback." + key);
      case 4 -> r.u32("feedback." + key);
      default -> r.i64("feedback." + key);
    };
  }
}
