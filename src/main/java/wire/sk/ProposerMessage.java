package wire.sk;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.xlog.Lsn;

/**
 * Messages from the walproposer to a safekeeper, protocol v3 (safekeeper.md §3): one per CopyData
 * payload, an ASCII tag byte first, integers big-endian, strings NUL-terminated.
 */
public sealed interface ProposerMessage {
  /** Most WAL one AppendRequest may carry (16 WAL pages). */
  int MAX_WAL_BYTES = 128 * 1024;

  byte[] encode();

  /** {@code 'g'}: the first message on a connection. Ids are 32 lower-case hex characters. */
  record ProposerGreeting(String tenantId, String timelineId, MembershipConfiguration mconf, int pgVersion,
      long systemId, int walSegSize) implements ProposerMessage {
    public ProposerGreeting {
      if (!isId(tenantId) || !isId(timelineId)) {
        throw new IllegalArgumentException("tenant and timeline ids must be 32 hex characters: " + tenantId + ", " + timelineId);
      }
    }

    @Override
    public byte[] encode() {
      FieldWriter w = new FieldWriter().u8('g').cstring(tenantId).cstring(timelineId);
      mconf.encodeTo(w);
      return w.u32(Integer.toUnsignedLong(pgVersion)).u64(systemId).u32(Integer.toUnsignedLong(walSegSize)).toByteArray();
    }
  }

  /** {@code 'v'}: asks for a vote in {@code term}. */
  record VoteRequest(int generation, long term) implements ProposerMessage {
    @Override
    public byte[] encode() {
      return new FieldWriter().u8('v').u32(Integer.toUnsignedLong(generation)).u64(term).toByteArray();
    }
  }

  /** {@code 'e'}: the leader of {@code term} will stream from {@code startStreamingAt}; its full history. */
  record ProposerElected(int generation, long term, Lsn startStreamingAt, TermHistory termHistory)
      implements ProposerMessage {
    @Override
    public byte[] encode() {
      FieldWriter w = new FieldWriter().u8('e').u32(Integer.toUnsignedLong(generation)).u64(term)
          .u64(startStreamingAt.value());
      termHistory.encodeTo(w);
      return w.toByteArray();
    }
  }

  /** {@code 'a'}: WAL bytes {@code [beginLsn, endLsn)}; with no bytes it is a heartbeat carrying LSNs. */
  record AppendRequest(int generation, long term, Lsn beginLsn, Lsn endLsn, Lsn commitLsn, Lsn truncateLsn, byte[] wal)
      implements ProposerMessage {
    public AppendRequest {
      if (wal.length > MAX_WAL_BYTES || endLsn.minus(beginLsn) != wal.length) {
        throw new IllegalArgumentException("AppendRequest [" + beginLsn + ", " + endLsn + ") with " + wal.length
            + " WAL bytes (at most " + MAX_WAL_BYTES + ", exactly end - begin)");
      }
    }

    @Override
    public byte[] encode() {
      ByteBuffer out = ByteBuffer.allocate(encodedLength());
      encodeTo(out);
      return out.array();
    }

    /** The size of {@link #encode()}'s result. */
    public int encodedLength() {
      return 1 + 4 + 5 * 8 + wal.length;
    }

    /**
     * Writes the encoding at {@code out}'s position (big-endian): lets a sender put it straight
     * behind a frame header, in one array, with the WAL copied once.
     */
    public void encodeTo(ByteBuffer out) {
      out.put((byte) 'a').putInt(generation).putLong(term).putLong(beginLsn.value()).putLong(endLsn.value())
          .putLong(commitLsn.value()).putLong(truncateLsn.value()).put(wal);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AppendRequest a && generation == a.generation && term == a.term && beginLsn.equals(a.beginLsn)
          && endLsn.equals(a.endLsn) && commitLsn.equals(a.commitLsn) && truncateLsn.equals(a.truncateLsn)
          && Arrays.equals(wal, a.wal);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(term) * 31 + beginLsn.hashCode() * 17 + Arrays.hashCode(wal);
    }

    @Override
    public String toString() {
      return "AppendRequest[generation=" + generation + ", term=" + term + ", begin=" + beginLsn + ", end=" + endLsn
          + ", commit=" + commitLsn + ", truncate=" + truncateLsn + "]";
    }
  }

  /** Reads one message; the whole buffer must be that message. */
  static ProposerMessage decode(ByteBuffer in) throws WireFormatException {
    FieldReader r = FieldReader.bigEndian("sk.ProposerMessage", in);
    int tag = r.u8("tag");
    ProposerMessage m = switch (tag) {
      case 'g' -> new ProposerGreeting(id(r, "tenant_id"), id(r, "timeline_id"), MembershipConfiguration.decode(r),
          r.i32("pg_version"), r.i64("system_id"), r.i32("wal_seg_size"));
      case 'v' -> new VoteRequest(r.i32("generation"), r.i64("term"));
      case 'e' -> new ProposerElected(r.i32("generation"), r.i64("term"), new Lsn(r.i64("start_streaming_at")),
          TermHistory.decode(r));
      case 'a' -> decodeAppend(r);
      default -> throw r.error("tag", tagText(tag), "not a proposer message (expected 'g', 'v', 'e' or 'a')");
    };
    r.end();
    return m;
  }

  private static AppendRequest decodeAppend(FieldReader r) throws WireFormatException {
    int generation = r.i32("generation");
    long term = r.i64("term");
    Lsn begin = new Lsn(r.i64("begin_lsn"));
    Lsn end = new Lsn(r.i64("end_lsn"));
    Lsn commit = new Lsn(r.i64("commit_lsn"));
    Lsn truncate = new Lsn(r.i64("truncate_lsn"));
    if (end.isBefore(begin)) throw r.error("end_lsn", end, "before begin_lsn " + begin);
    long length = end.minus(begin);
    if (length > MAX_WAL_BYTES) throw r.error("end_lsn", end, length + " bytes from begin_lsn " + begin + ", more than " + MAX_WAL_BYTES);
    return new AppendRequest(generation, term, begin, end, commit, truncate, r.bytes("wal", (int) length));
  }

  private static String id(FieldReader r, String field) throws WireFormatException {
    String s = r.cstring(field);
    if (!isId(s)) {
      throw r.error(field, "'" + s + "'", "expected 32 hex characters");
    }
    return s.toLowerCase(Locale.ROOT);
  }

  private static boolean isId(String s) {
    return s.length() == 32 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  static String tagText(int tag) {
    return tag >= 0x20 && tag < 0x7F ? "'" + (char) tag + "'" : "0x" + HexFormat.of().toHexDigits((byte) tag);
  }
}
