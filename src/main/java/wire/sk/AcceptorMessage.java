package wire.sk;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.xlog.Lsn;

/** Messages from a safekeeper to the walproposer, protocol v3 (safekeeper.md §3). */
public sealed interface AcceptorMessage {
  byte[] encode();

  /** {@code 'g'}: the acceptor's id, configuration and current term. */
  record AcceptorGreeting(long nodeId, MembershipConfiguration mconf, long term) implements AcceptorMessage {
    @Override
    public byte[] encode() {
      FieldWriter w = new FieldWriter().u8('g').u64(nodeId);
      mconf.encodeTo(w);
      return w.u64(term).toByteArray();
    }
  }

  /** {@code 'v'}: the vote, with what the acceptor holds (history truncated to its flush LSN). */
  record VoteResponse(int generation, long term, boolean voteGiven, Lsn flushLsn, Lsn truncateLsn,
      TermHistory termHistory) implements AcceptorMessage {
    @Override
    public byte[] encode() {
      FieldWriter w = new FieldWriter().u8('v').u32(Integer.toUnsignedLong(generation)).u64(term)
          .u8(voteGiven ? 1 : 0).u64(flushLsn.value()).u64(truncateLsn.value());
      termHistory.encodeTo(w);
      return w.toByteArray();
    }
  }

  /** Aggregated hot-standby feedback of the acceptor's standby readers (all zero when none). */
  record HotStandbyFeedback(long timestamp, long xmin, long catalogXmin) {
    public static final HotStandbyFeedback NONE = new HotStandbyFeedback(0, 0, 0);
  }

  /**
   * {@code 'a'}: what is durable and committed. The pageserver feedback part is optional and
   * present iff bytes follow the fixed part.
   */
  record AppendResponse(int generation, long term, Lsn flushLsn, Lsn commitLsn, HotStandbyFeedback hsFeedback,
      PageserverFeedback pageserverFeedback) implements AcceptorMessage {
    /** The answer to an append from an older term: only the higher term matters. */
    public static AppendResponse higherTerm(int generation, long term) {
      return new AppendResponse(generation, term, Lsn.INVALID, Lsn.INVALID, HotStandbyFeedback.NONE, null);
    }

    @Override
    public byte[] encode() {
      FieldWriter w = new FieldWriter().u8('a').u32(Integer.toUnsignedLong(generation)).u64(term)
          .u64(flushLsn.value()).u64(commitLsn.value())
          .u64(hsFeedback.timestamp()).u64(hsFeedback.xmin()).u64(hsFeedback.catalogXmin());
      if (pageserverFeedback != null) pageserverFeedback.encodeTo(w);
      return w.toByteArray();
    }
  }

  /** Reads one message; the whole buffer must be that message. */
  static AcceptorMessage decode(ByteBuffer in) throws WireFormatException {
    FieldReader r = FieldReader.bigEndian("sk.AcceptorMessage", in);
    int tag = r.u8("tag");
    AcceptorMessage m = switch (tag) {
      case 'g' -> new AcceptorGreeting(r.i64("node_id"), MembershipConfiguration.decode(r), r.i64("term"));
      case 'v' -> new VoteResponse(r.i32("generation"), r.i64("term"), r.bool("vote_given"),
          new Lsn(r.i64("flush_lsn")), new Lsn(r.i64("truncate_lsn")), TermHistory.decode(r));
      case 'a' -> new AppendResponse(r.i32("generation"), r.i64("term"), new Lsn(r.i64("flush_lsn")),
          new Lsn(r.i64("commit_lsn")), new HotStandbyFeedback(r.i64("hs_ts"), r.i64("hs_xmin"), r.i64("hs_catalog_xmin")),
          r.remaining() > 0 ? PageserverFeedback.decode(r) : null);
      default -> throw r.error("tag", ProposerMessage.tagText(tag), "not an acceptor message (expected 'g', 'v' or 'a')");
    };
    r.end();
    return m;
  }
}
