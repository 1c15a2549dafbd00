package testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.pg.Query;
import wire.sk.AcceptorMessage;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * One proposer connection to one safekeeper, message by message over {@code START_WAL_PUSH}: it
 * greets (which creates the timeline), wins a term, and appends {@link SyntheticWal} with a commit
 * LSN, so a safekeeper holds committed WAL without PostgreSQL.
 */
public final class SyntheticProposer implements AutoCloseable {
  private final PgWireClient client;
  private final long term;

  private SyntheticProposer(PgWireClient client, long term) {
    this.client = client;
    this.term = term;
  }

  /**
   * Connects, greets, takes {@code term} and announces {@code history} (the last entry is this term's
   * start, where its WAL begins).
   */
  public static SyntheticProposer elect(int pgPort, String tenant, String timeline, long term, TermHistory history) throws IOException {
    PgWireClient c = PgWireClient.connect(pgPort, Map.of("user", "strata", "database", "replication",
        "options", "-c tenant_id=" + tenant + " timeline_id=" + timeline));
    try {
      c.send(new Query("START_WAL_PUSH (proto_version '3')"));
      BackendMessage r = c.receive();
      if (!(r instanceof CopyResponse.CopyBothResponse)) throw new IOException("START_WAL_PUSH refused: " + r);
      SyntheticProposer p = new SyntheticProposer(c, term);
      p.roundTrip(new ProposerMessage.ProposerGreeting(tenant, timeline, MembershipConfiguration.NONE, 150018,
          SyntheticWal.SYSTEM_ID, (int) Lsn.DEFAULT_SEGMENT_SIZE));
      var vote = (AcceptorMessage.VoteResponse) p.roundTrip(new ProposerMessage.VoteRequest(0, term));
      if (!vote.voteGiven()) throw new IOException("term " + term + " was not granted: " + vote);
      Lsn termStart = history.entries().get(history.entries().size() - 1).lsn();
      c.sendCopy(new ProposerMessage.ProposerElected(0, term, termStart, history).encode());
      return p;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Appends WAL [from, to) in 128 KiB messages and waits until the safekeeper reports {@code commit} committed. */
  public void append(SyntheticWal wal, Lsn from, Lsn to, Lsn commit) throws IOException {
    for (Lsn at = from; at.isBefore(to); ) {
      Lsn end = Lsn.min(to, at.plus(ProposerMessage.MAX_WAL_BYTES));
      client.sendCopy(new ProposerMessage.AppendRequest(0, term, at, end, commit, Lsn.INVALID, wal.slice(at, end)).encode());
      at = end;
    }
    AcceptorMessage.AppendResponse last = null;
    while (last == null || last.commitLsn().isBefore(commit)) last = (AcceptorMessage.AppendResponse) next();
  }

  private AcceptorMessage roundTrip(ProposerMessage m) throws IOException {
    client.sendCopy(m.encode());
    return next();
  }

  private AcceptorMessage next() throws IOException {
    BackendMessage reply = client.receive();
    if (reply instanceof ErrorResponse e) throw new IOException("safekeeper refused: " + e.fields());
    try {
      return AcceptorMessage.decode(ByteBuffer.wrap(((CopyData) reply).data()));
    } catch (wire.WireFormatException e) {
      throw new IOException("bad acceptor message: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
