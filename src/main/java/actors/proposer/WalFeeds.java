package actors.proposer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.typed.javadsl.ActorSink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import wire.pg.ReplicationMessage;
import wire.pg.ReplicationMessage.XLogData;
import wire.sk.ProposerMessage;
import wire.sk.ProposerMessage.AppendRequest;
import wire.xlog.Lsn;

/**
 * WAL on its way to each elected safekeeper connection (safekeeper.md §4.6). WAL at or after the
 * buffer's start comes from the {@link WalBuffer} the leader fills from PostgreSQL; older WAL (a
 * lagging safekeeper, or everything in sync-safekeepers mode) is read from a donor safekeeper with
 * {@code START_REPLICATION PHYSICAL X/Y (term 'N')}, which streams only while the donor stays in
 * this leader's term. Each connection has at most {@code windowBytes} of WAL queued towards its
 * socket; a donor stream waits for its acknowledgement meanwhile. Owned by {@link WalProposer}.
 */
final class WalFeeds {
  sealed interface Input extends WalProposer.Command permits Started, Message, Ended {}
  record Started(int sk, long reader, ActorRef<StreamAck> ack) implements Input {}
  record Message(int sk, long reader, ReplicationMessage message, ActorRef<StreamAck> ack) implements Input {}
  record Ended(int sk, long reader, Optional<Throwable> failure) implements Input {}

  private record SharedFrame(long term, Lsn begin, Lsn end, Lsn commit, Lsn truncate, byte[] frame) {}

  /** One safekeeper connection in this leader's term. */
  private static final class Feed {
    final SafekeeperWire wire;
    final Lsn start;
    Lsn sent;
    Lsn commitSent = Lsn.INVALID;   // the commit_lsn the last message on this connection carried
    long reader;
    UniqueKillSwitch readerSwitch;
    ReplicationStream readerStream;
    Lsn pendingAt;
    byte[] pending;
    ActorRef<StreamAck> pendingAck;

    Feed(SafekeeperWire wire, Lsn start) {
      this.wire = wire;
      this.start = start;
      this.sent = start;
    }

    /** WAL of this term's appends in the socket. */
    Lsn wired() {
      return Lsn.max(start, wire.written());
    }
  }

  private final ActorContext<WalProposer.Command> ctx;
  private final ProposerSettings settings;
  private final Election election;
  private final Feed[] feeds;
  private final WalBuffer buffer;
  /** The last AppendRequest frame made from the buffer, for the next connection at the same place. */
  private SharedFrame shared;
  private long readers;

  WalFeeds(ActorContext<WalProposer.Command> ctx, ProposerSettings settings, Election election,
      int safekeepers, Lsn termStart) {
    this.ctx = ctx;
    this.settings = settings;
    this.election = election;
    this.feeds = new Feed[safekeepers];
    this.buffer = new WalBuffer(termStart);
  }

  /** The end of the WAL this leader has: where PostgreSQL's stream continues. */
  Lsn availableLsn() {
    return buffer.end();
  }

  boolean bufferHasRoom() {
    return buffer.size() < settings.bufferBytes();
  }

  /** ProposerElected went out on {@code wire}: stream from {@code start}, after an empty append that asks for feedback. */
  void start(int sk, SafekeeperWire wire, Lsn start) {
    stop(sk);
    feeds[sk] = new Feed(wire, start);
    heartbeat(sk, feeds[sk]);
    pump(sk);
  }

  void stop(int sk) {
    Feed f = feeds[sk];
    if (f == null) return;
    stopReader(f);
    feeds[sk] = null;
  }

  void stopAll() {
    for (int i = 0; i < feeds.length; i++) stop(i);
  }

  void onLocalWal(Lsn at, byte[] data) {
    buffer.append(at, data);
    pumpAll();
  }

  /** The writer thread of {@code connection} got WAL into the socket while its window was full. */
  void onWritten(int sk, long connection) {
    Feed f = feeds[sk];
    if (f != null && f.wire.connection() == connection) pump(sk);
  }

  /** An empty append to every connection: it carries commit_lsn and truncate_lsn and asks for an answer. */
  void heartbeat() {
    for (Feed f : feeds) if (f != null) heartbeat(indexOf(f), f);
  }

  /**
   * Tells every connection whose last message carried an older commit_lsn the new one, at once: in
   * the append of WAL that waits for it, if any, else in an empty append.
   */
  void broadcastCommit() {
    for (int i = 0; i < feeds.length; i++) {
      Feed f = feeds[i];
      if (f == null || !f.commitSent.isBefore(election.commitLsn())) continue;
      pump(i);
      if (f.commitSent.isBefore(election.commitLsn())) heartbeat(i, f);
    }
  }

  void pumpAll() {
    for (int i = 0; i < feeds.length; i++) pump(i);
  }

  /**
   * Releases WAL that every buffer-fed connection was sent, never past commit_lsn: WAL below it is on
   * a quorum, so a donor can serve it. A full buffer releases everything up to commit_lsn, moving
   * connections that lag behind it to a donor.
   */
  void trim() {
    Lsn low = buffer.end();
    for (Feed f : feeds) if (f != null && !f.sent.isBefore(buffer.start())) low = Lsn.min(low, f.sent);
    Lsn commit = election.commitLsn();
    Lsn to = Lsn.min(low, commit);
    if (!bufferHasRoom()) to = commit;
    buffer.trimTo(to);
  }

  void onInput(Input m) {
    if (m instanceof Started s) {
      s.ack().tell(StreamAck.INSTANCE);
      return;
    }
    Feed f = feeds[m instanceof Message msg ? msg.sk() : ((Ended) m).sk()];
    long reader = m instanceof Message msg ? msg.reader() : ((Ended) m).reader();
    boolean current = f != null && f.readerSwitch != null && f.reader == reader;
    if (m instanceof Ended e) {
      if (current) {
        ctx.getLog().warn("recovery stream ended sk={} lsn={} reason={}", election.name(e.sk()), f.sent,
            e.failure().map(WalProposer::describe).orElse("the donor closed the connection"));
        stopReader(f);
      }
      return;
    }
    Message msg = (Message) m;
    if (!current || !(msg.message() instanceof XLogData x)) {
      msg.ack().tell(StreamAck.INSTANCE);
      return;
    }
    if (x.start().isAfter(f.sent)) {
      ctx.getLog().warn("recovery stream skipped WAL sk={} expected={} got={}", election.name(msg.sk()), f.sent, x.start());
      stopReader(f);
      return;
    }
    if (!x.dataEnd().isAfter(f.sent)) {
      msg.ack().tell(StreamAck.INSTANCE);
      return;
    }
    f.pendingAt = x.start();
    f.pending = x.data();
    f.pendingAck = msg.ack();
    pump(msg.sk());
  }

  private void pump(int sk) {
    Feed f = feeds[sk];
    if (f == null) return;
    drainPending(sk, f);
    if (f.pending != null) return;
    if (f.sent.isBefore(buffer.start())) {
      startReader(sk, f);
      return;
    }
    stopReader(f);
    while (f.sent.isBefore(buffer.end()) && hasWindow(f)) appendFromBuffer(f);
  }

  /** Sends donor WAL held for this connection as far as the window allows; acknowledges it when all is sent. */
  private void drainPending(int sk, Feed f) {
    while (f.pending != null && hasWindow(f)) {
      long offset = f.sent.minus(f.pendingAt);
      int n = (int) Math.min(ProposerMessage.MAX_WAL_BYTES, f.pending.length - offset);
      append(sk, f, java.util.Arrays.copyOfRange(f.pending, (int) offset, (int) offset + n));
      if (f.sent.minus(f.pendingAt) == f.pending.length) {
        f.pending = null;
        f.pendingAck.tell(StreamAck.INSTANCE);
        f.pendingAck = null;
      }
    }
    if (f.pending == null && !f.sent.isBefore(buffer.start()) && f.readerSwitch != null) {
      ctx.getLog().info("recovery done sk={} lsn={}", election.name(sk), f.sent);
      stopReader(f);
    }
  }

  private void startReader(int sk, Feed f) {
    if (f.readerSwitch != null) return;
    int donor = donorFor(sk, f.sent);
    if (donor < 0) return;   // nobody in this term has the WAL yet; the next tick tries again
    long id = ++readers;
    f.reader = id;
    ProposerSettings.Endpoint e = settings.safekeepers().get(donor);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", "strata");
    params.put("database", "replication");
    params.put("application_name", "walproposer_recovery");
    params.put("options", "-c tenant_id=" + settings.tenantId() + " timeline_id=" + settings.timelineId());
    String command = "START_REPLICATION PHYSICAL " + f.sent + " (term '" + Long.toUnsignedString(election.term()) + "')";
    ReplicationStream stream = ReplicationStream.open(ctx.getSystem(), e.host(), e.port(), params, null, command);
    f.readerStream = stream;
    f.readerSwitch = stream.messages()
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(ActorSink.<ReplicationMessage, WalProposer.Command, StreamAck>actorRefWithBackpressure(ctx.getSelf(),
            (ack, m) -> new Message(sk, id, m, ack),
            ack -> new Started(sk, id, ack),
            StreamAck.INSTANCE,
            new Ended(sk, id, Optional.empty()),
            t -> new Ended(sk, id, Optional.of(t))), Keep.left())
        .run(Materializer.matFromSystem(ctx.getSystem()));
    ctx.getLog().info("recovery started sk={} donor={} from={} to={}", election.name(sk), e, f.sent, buffer.start());
  }

  /** The elected connection, other than {@code sk}, known to hold the most WAL past {@code from}; -1 if none. */
  private int donorFor(int sk, Lsn from) {
    int best = -1;
    Lsn bestEnd = from;
    for (int d = 0; d < feeds.length; d++) {
      if (d == sk || feeds[d] == null) continue;
      Lsn end = election.flushAck(d);
      if (d == election.donor()) end = Lsn.max(end, election.termStartLsn());
      if (end.isAfter(bestEnd)) {
        best = d;
        bestEnd = end;
      }
    }
    return best;
  }

  private void stopReader(Feed f) {
    if (f.readerSwitch != null) f.readerSwitch.shutdown();
    if (f.readerStream != null) f.readerStream.close();
    f.readerSwitch = null;
    f.readerStream = null;
    if (f.pendingAck != null) f.pendingAck.tell(StreamAck.INSTANCE);
    f.pending = null;
    f.pendingAck = null;
  }

  private boolean hasWindow(Feed f) {
    if (f.sent.minus(f.wired()) < settings.windowBytes()) return true;
    f.wire.wakeWhenWritten();
    return f.sent.minus(f.wired()) < settings.windowBytes();   // a write that completed before the call
  }

  private void append(int sk, Feed f, byte[] wal) {
    Lsn end = f.sent.plus(wal.length);
    AppendRequest a = new AppendRequest(Election.GENERATION, election.term(), f.sent, end, election.commitLsn(),
        election.truncateLsn(), wal);
    f.commitSent = a.commitLsn();
    f.wire.sendFrame(SafekeeperWire.appendFrame(a), end);
    f.sent = end;
  }

  /**
   * The next append of buffered WAL for a connection at {@code f.sent}: the frame of the last one
   * when it is the same request (connections in step get one frame, read and encoded once), else a
   * new one.
   */
  private void appendFromBuffer(Feed f) {
    int n = (int) Math.min(ProposerMessage.MAX_WAL_BYTES, buffer.end().minus(f.sent));
    Lsn end = f.sent.plus(n);
    Lsn commit = election.commitLsn();
    Lsn truncate = election.truncateLsn();
    if (shared == null || !shared.begin.equals(f.sent) || !shared.end.equals(end) || !shared.commit.equals(commit)
        || !shared.truncate.equals(truncate) || shared.term != election.term()) {
      AppendRequest a = new AppendRequest(Election.GENERATION, election.term(), f.sent, end, commit, truncate,
          buffer.read(f.sent, n));
      shared = new SharedFrame(election.term(), f.sent, end, commit, truncate, SafekeeperWire.appendFrame(a));
    }
    f.commitSent = commit;
    f.wire.sendFrame(shared.frame, end);
    f.sent = end;
  }

  private void heartbeat(int sk, Feed f) {
    send(sk, f, WalProposer.heartbeatAt(election.term(), f.sent, election.commitLsn(), election.truncateLsn()));
  }

  private void send(int sk, Feed f, ProposerMessage m) {
    if (m instanceof AppendRequest a) f.commitSent = a.commitLsn();
    f.wire.send(m);
  }

  private int indexOf(Feed f) {
    for (int i = 0; i < feeds.length; i++) if (feeds[i] == f) return i;
    throw new IllegalStateException("feed not registered");
  }
}
