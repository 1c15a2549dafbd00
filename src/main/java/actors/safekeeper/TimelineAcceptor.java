package actors.safekeeper;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import store.wal.AcceptorState;
import store.wal.ControlFileStore;
import store.wal.WalStore;
import wire.sk.AcceptorMessage;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.HotStandbyFeedback;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.sk.ProposerMessage.VoteRequest;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * The Paxos acceptor of one timeline (safekeeper.md §3): it owns the control file and the WAL store
 * and applies the acceptor rules to every proposer message, one at a time. It runs on the
 * {@code strata.acceptor-io} dispatcher because it fsyncs. Appends are written as they come and
 * flushed together: a FlushWal message queued behind them drains the batch with one fsync and one
 * reply per connection, usually in the same dispatcher run.
 */
public final class TimelineAcceptor extends AbstractBehavior<TimelineAcceptor.Command> {
  public sealed interface Command {}

  public record Greet(ProposerGreeting greeting, ReplyTo replyTo) implements Command {}
  public record Vote(VoteRequest request, ReplyTo replyTo) implements Command {}
  public record Elect(ProposerElected elected, ReplyTo replyTo) implements Command {}
  public record Append(AppendRequest request, ReplyTo replyTo) implements Command {}
  /** A proposer connection ended: flush what it sent, forget its pending reply. */
  public record Disconnected(ReplyTo connection) implements Command {}
  /** Readers (walsenders) get a {@link Positions} now and after every change. */
  public record Subscribe(ActorRef<Positions> subscriber) implements Command {}
  public record Unsubscribe(ActorRef<Positions> subscriber) implements Command {}
  /** A pageserver reported how far its state is durable in S3. */
  public record RemoteConsistent(Lsn lsn) implements Command {}
  /** The object store holds every WAL segment below this LSN (our upload, or a peer's in the gossip). */
  public record BackedUp(Lsn lsn) implements Command {}
  public record GetStatus(ActorRef<TimelineStatus> replyTo) implements Command {}
  private enum FlushWal implements Command { INSTANCE }
  private enum PersistTick implements Command { INSTANCE }

  /** What a proposer connection receives: a message to send, or a refusal that closes it. */
  public sealed interface Reply {}

  /**
   * Where the replies to one proposer connection go, in the order they are told. Called on the
   * acceptor's thread, so an implementation may write to the connection's socket itself (no actor
   * hop). One object per connection: it is the connection's identity here.
   */
  public interface ReplyTo {
    void tell(Reply reply);
  }

  /** Replies to an actor (tests, and any connection that wants its replies as messages). */
  public static ReplyTo replyTo(ActorRef<Reply> ref) {
    return new ToActor(ref);
  }

  private record ToActor(ActorRef<Reply> ref) implements ReplyTo {
    @Override
    public void tell(Reply reply) {
      ref.tell(reply);
    }
  }
  public record Answer(AcceptorMessage message) implements Reply {}
  public record Refusal(SkError.Failure failure) implements Reply {}

  /** What WAL readers need: how far WAL may be sent, and under which term. */
  public record Positions(Lsn commitLsn, Lsn flushLsn, long term, long lastLogTerm) {}

  private static final int GENERATION = 0;   // membership generations are not used: legacy quorum of all members

  private final ActorContext<Command> ctx;
  private final long nodeId;
  private final Path dir;
  private final SafekeeperMetrics metrics;
  private final WalStore wal;
  private AcceptorState persisted;
  // horizons kept in memory and persisted lazily: they only ever move forward (safekeeper.md §2)
  private Lsn commitLsn;
  private Lsn backupLsn;
  private Lsn peerHorizonLsn;
  private Lsn remoteConsistentLsn;
  private Lsn proposedCommitLsn = Lsn.INVALID;
  private Lsn termStartLsn = Lsn.INVALID;
  private final Set<ReplyTo> awaitingFlush = new LinkedHashSet<>();
  private final Set<ActorRef<Positions>> subscribers = new LinkedHashSet<>();
  private boolean flushQueued;
  private Positions lastPublished;

  public static Behavior<Command> create(long nodeId, Path timelineDir, SafekeeperMetrics metrics) {
    Behavior<Command> acceptor = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(PersistTick.INSTANCE, Duration.ofSeconds(1));
      return new TimelineAcceptor(ctx, nodeId, timelineDir, metrics);
    }));
    // A disk failure stops this incarnation; the next one starts again from what is durable.
    return Behaviors.supervise(acceptor).onFailure(IOException.class,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  private TimelineAcceptor(ActorContext<Command> ctx, long nodeId, Path dir, SafekeeperMetrics metrics) throws IOException {
    super(ctx);
    this.metrics = metrics;
    this.ctx = ctx;
    this.nodeId = nodeId;
    this.dir = dir;
    this.persisted = ControlFileStore.load(dir);
    this.commitLsn = persisted.commitLsn();
    this.backupLsn = persisted.backupLsn();
    this.peerHorizonLsn = persisted.peerHorizonLsn();
    this.remoteConsistentLsn = persisted.remoteConsistentLsn();
    this.wal = WalStore.open(dir, persisted.walSegSize(), commitLsn);
    if (wal.flushLsn().isBefore(commitLsn)) {
      throw new IOException("WAL in " + dir + " ends at " + wal.flushLsn() + ", below commit_lsn " + commitLsn + ": data loss");
    }
    ctx.getLog().info("timeline loaded tenant={} timeline={} term={} commit_lsn={} flush_lsn={}", persisted.tenantId(),
        persisted.timelineId(), persisted.term(), commitLsn, wal.flushLsn());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Greet.class, this::onGreet)
        .onMessage(Vote.class, this::onVote)
        .onMessage(Elect.class, this::onElect)
        .onMessage(Append.class, this::onAppend)
        .onMessageEquals(FlushWal.INSTANCE, this::onFlushWal)
        .onMessage(Disconnected.class, this::onDisconnected)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, m -> { subscribers.remove(m.subscriber()); return this; })
        .onMessage(RemoteConsistent.class, m -> { remoteConsistentLsn = Lsn.max(remoteConsistentLsn, m.lsn()); return this; })
        .onMessage(BackedUp.class, m -> { backupLsn = Lsn.max(backupLsn, m.lsn()); return this; })
        .onMessage(GetStatus.class, m -> { m.replyTo().tell(status()); return this; })
        .onMessageEquals(PersistTick.INSTANCE, this::onPersistTick)
        .onSignal(akka.actor.typed.PostStop.class, s -> closeWal())
        .build();
  }

  private Behavior<Command> onGreet(Greet m) throws IOException {
    ProposerGreeting g = m.greeting();
    if (!g.tenantId().equals(persisted.tenantId()) || !g.timelineId().equals(persisted.timelineId())) {
      return refuse(m.replyTo(), SkError.IDENTITY_MISMATCH, "greeting for tenant " + g.tenantId() + " timeline "
          + g.timelineId() + " reached timeline " + persisted.timelineId() + " of tenant " + persisted.tenantId());
    }
    if (persisted.pgVersion() != 0 && g.pgVersion() / 10000 != persisted.pgVersion() / 10000) {
      return refuse(m.replyTo(), SkError.VERSION_MISMATCH, "proposer runs PostgreSQL " + g.pgVersion() / 10000
          + ", timeline " + persisted.timelineId() + " holds PostgreSQL " + persisted.pgVersion() / 10000 + " WAL");
    }
    if (g.walSegSize() != persisted.walSegSize()) {
      return refuse(m.replyTo(), SkError.SEGMENT_SIZE_MISMATCH, "proposer uses WAL segments of " + g.walSegSize()
          + " bytes, timeline " + persisted.timelineId() + " uses " + persisted.walSegSize());
    }
    if (g.systemId() != 0 && g.systemId() != persisted.systemId()) {
      if (persisted.systemId() != 0) {
        ctx.getLog().warn("system id changes timeline={} from={} to={}", persisted.timelineId(),
            Long.toUnsignedString(persisted.systemId()), Long.toUnsignedString(g.systemId()));
      }
      persist(current().withServer(g.pgVersion(), g.systemId()));
    }
    m.replyTo().tell(new Answer(new AcceptorMessage.AcceptorGreeting(nodeId, MembershipConfiguration.NONE, persisted.term())));
    return this;
  }

  private Behavior<Command> onVote(Vote m) throws IOException {
    if (m.request().generation() != GENERATION) return refuseGeneration(m.replyTo(), m.request().generation());
    flushWal();   // the reported flush position must be exact before a new leader relies on it
    boolean granted = Long.compareUnsigned(persisted.term(), m.request().term()) < 0;   // strictly: never twice per term
    if (granted) persist(current().withTerm(m.request().term()));   // durable before we answer
    Lsn flush = reportedFlushLsn();
    m.replyTo().tell(new Answer(new AcceptorMessage.VoteResponse(GENERATION, persisted.term(), granted, flush,
        peerHorizonLsn, persisted.termHistory().truncatedTo(flush))));
    return this;
  }

  private Behavior<Command> onElect(Elect m) throws IOException {
    ProposerElected e = m.elected();
    if (e.generation() != GENERATION) return refuseGeneration(m.replyTo(), e.generation());
    if (Long.compareUnsigned(persisted.term(), e.term()) > 0) return this;   // an old leader; our next reply tells it
    if (Long.compareUnsigned(persisted.term(), e.term()) < 0) persist(current().withTerm(e.term()));
    flushWal();
    Lsn flush = reportedFlushLsn();
    Lsn common;
    try {
      common = TermHistory.highestCommonPoint(e.termHistory(), persisted.termHistory().truncatedTo(flush), flush);
    } catch (IllegalArgumentException bad) {
      return refuse(m.replyTo(), SkError.MALFORMED, "ProposerElected: " + bad.getMessage());
    }
    if (!common.equals(e.startStreamingAt())) {
      return refuse(m.replyTo(), SkError.UNEXPECTED_TRUNCATION, "leader of term " + e.term() + " starts streaming at "
          + e.startStreamingAt() + " but the highest common point here is " + common);
    }
    if (e.startStreamingAt().isBefore(commitLsn)) {
      ctx.getLog().error("invariant violated: truncation at {} below commit_lsn {} timeline={}", e.startStreamingAt(),
          commitLsn, persisted.timelineId());
      return refuse(m.replyTo(), SkError.UNEXPECTED_TRUNCATION, "truncation at " + e.startStreamingAt()
          + " is below commit_lsn " + commitLsn);
    }
    wal.truncate(e.startStreamingAt(), persisted.systemId());
    persist(current().elected(e.termHistory(), e.startStreamingAt()));
    // The election may start horizons at the timeline's start: the in-memory copies follow, or the
    // next lazy persist would write them back as they were.
    commitLsn = Lsn.max(commitLsn, persisted.commitLsn());
    backupLsn = Lsn.max(backupLsn, persisted.backupLsn());
    peerHorizonLsn = Lsn.max(peerHorizonLsn, persisted.peerHorizonLsn());
    remoteConsistentLsn = Lsn.max(remoteConsistentLsn, persisted.remoteConsistentLsn());
    termStartLsn = e.termHistory().entries().get(e.termHistory().entries().size() - 1).lsn();
    publishPositions();
    return this;
  }

  private Behavior<Command> onAppend(Append m) throws IOException {
    AppendRequest a = m.request();
    if (a.generation() != GENERATION) return refuseGeneration(m.replyTo(), a.generation());
    int cmp = Long.compareUnsigned(persisted.term(), a.term());
    if (cmp < 0) {
      return refuse(m.replyTo(), SkError.APPEND_BEFORE_ELECTION, "AppendRequest in term " + a.term()
          + " before ProposerElected (this safekeeper is in term " + persisted.term() + ")");
    }
    if (cmp > 0) {
      m.replyTo().tell(new Answer(AppendResponse.higherTerm(GENERATION, persisted.term())));
      return this;
    }
    try {
      wal.append(a.beginLsn(), ByteBuffer.wrap(a.wal()));
    } catch (WalStore.RefusedAppend refused) {
      return refuse(m.replyTo(), SkError.OUT_OF_ORDER_APPEND, refused.getMessage());
    }
    metrics.appends.increment();
    metrics.appendedBytes.increment(a.wal().length);
    if (a.commitLsn().isValid()) proposedCommitLsn = Lsn.max(proposedCommitLsn, a.commitLsn());
    peerHorizonLsn = Lsn.max(peerHorizonLsn, a.truncateLsn());
    awaitingFlush.add(m.replyTo());
    if (!flushQueued) {
      flushQueued = true;
      ctx.getSelf().tell(FlushWal.INSTANCE);   // behind every append already queued: one fsync for all of them
    }
    return this;
  }

  private Behavior<Command> onFlushWal() throws IOException {
    flushQueued = false;
    flushWal();
    AppendResponse response = new AppendResponse(GENERATION, persisted.term(), reportedFlushLsn(), commitLsn,
        HotStandbyFeedback.NONE, null);
    for (ReplyTo connection : awaitingFlush) connection.tell(new Answer(response));
    awaitingFlush.clear();
    return this;
  }

  /** fsync, then advance commit_lsn as far as the proposer said and this node holds (§3.6 step 7). */
  private void flushWal() throws IOException {
    if (wal.hasUnflushedBytes()) {
      long t0 = System.nanoTime();
      wal.flush();
      metrics.fsyncLatency.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
      metrics.fsyncs.increment();
    }
    Lsn before = commitLsn;
    commitLsn = Lsn.max(commitLsn, Lsn.min(proposedCommitLsn, reportedFlushLsn()));
    boolean crossedTermStart = termStartLsn.isValid() && before.isBefore(termStartLsn) && !commitLsn.isBefore(termStartLsn);
    if (crossedTermStart) persist(current());   // sync-safekeepers relies on this being durable
    publishPositions();
  }

  private Behavior<Command> onDisconnected(Disconnected m) throws IOException {
    awaitingFlush.remove(m.connection());
    flushWal();
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe m) {
    subscribers.add(m.subscriber());
    ctx.watchWith(m.subscriber(), new Unsubscribe(m.subscriber()));
    m.subscriber().tell(positions());
    return this;
  }

  private Behavior<Command> onPersistTick() throws IOException {
    AcceptorState now = current();
    if (!now.equals(persisted)) {
      persist(now);
      // Removal follows the persisted horizons only: after a crash they are where they were.
      int removed = WalRemover.removeOld(persisted, wal.segments());
      if (removed > 0) {
        ctx.getLog().info("removed old WAL segments tenant={} timeline={} files={} keep_from_segno={}", persisted.tenantId(),
            persisted.timelineId(), removed, WalRemover.keepFrom(persisted));
      }
    }
    return this;
  }

  private void publishPositions() {
    Positions p = positions();
    if (p.equals(lastPublished)) return;
    lastPublished = p;
    for (ActorRef<Positions> s : subscribers) s.tell(p);
  }

  private Positions positions() {
    Lsn flush = reportedFlushLsn();
    return new Positions(commitLsn, flush, persisted.term(), persisted.termHistory().termAt(flush));
  }

  /** flush_lsn as the protocol reports it: never below the timeline's start (§10). */
  private Lsn reportedFlushLsn() {
    return Lsn.max(wal.flushLsn(), persisted.timelineStartLsn());
  }

  private AcceptorState current() {
    return persisted.withHorizons(commitLsn, backupLsn, peerHorizonLsn, remoteConsistentLsn);
  }

  private void persist(AcceptorState next) throws IOException {
    ControlFileStore.persist(dir, next);
    persisted = next;
  }

  private TimelineStatus status() {
    Lsn flush = reportedFlushLsn();
    return new TimelineStatus(persisted.tenantId(), persisted.timelineId(), persisted.term(),
        persisted.termHistory().termAt(flush), persisted.termHistory(), flush, commitLsn, backupLsn,
        remoteConsistentLsn, peerHorizonLsn, persisted.timelineStartLsn(), persisted.localStartLsn(),
        persisted.pgVersion(), persisted.systemId(), persisted.walSegSize());
  }

  private Behavior<Command> refuseGeneration(ReplyTo replyTo, int generation) {
    return refuse(replyTo, SkError.GENERATION_MISMATCH, "membership generation " + Integer.toUnsignedString(generation)
        + " is not supported; this safekeeper uses generation " + GENERATION);
  }

  private Behavior<Command> refuse(ReplyTo replyTo, SkError kind, String message) {
    ctx.getLog().warn("refused timeline={} reason={}", persisted.timelineId(), message);
    replyTo.tell(new Refusal(kind.failure(message)));
    return this;
  }

  private Behavior<Command> closeWal() {
    try {
      wal.close();
    } catch (IOException e) {
      ctx.getLog().warn("closing WAL of timeline={} failed: {}", persisted.timelineId(), e.getMessage());
    }
    return this;
  }
}
