package actors.safekeeper;

import actors.net.PgSession.Outbox;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import store.wal.WalSegments;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgTime;
import wire.pg.ProtocolException;
import wire.pg.ReadyForQuery;
import wire.pg.ReplicationCommand.StartReplication;
import wire.pg.ReplicationMessage;
import wire.xlog.Lsn;

/**
 * Streams a timeline's WAL to one reader (safekeeper.md §6): up to commit_lsn, or, when the reader
 * names a term, up to flush_lsn for as long as this safekeeper stays in that term. Reads happen on
 * the blocking dispatcher, one at a time; up to {@link #MAX_UNSENT} chunks may wait for the socket
 * meanwhile, so that reading, framing and writing overlap instead of each chunk waiting for the
 * previous one to be written (four thread hand-offs per 128 KiB).
 */
final class WalSender extends AbstractBehavior<WalSender.Command> {
  sealed interface Command {}
  record FromClient(FrontendMessage message) implements Command {}
  private record Found(Timelines.Resolved resolved) implements Command {}
  private record Status(TimelineStatus status) implements Command {}
  private record PositionsChanged(TimelineAcceptor.Positions positions) implements Command {}
  private record ChunkRead(Lsn start, byte[] bytes, Throwable error) implements Command {}
  private record Sent(Throwable error) implements Command {}
  private enum Keepalive implements Command { INSTANCE }

  private static final int MAX_CHUNK = 128 * 1024;
  /** Chunks read and handed to the socket's outbox but not yet written (well under the outbox's capacity). */
  private static final int MAX_UNSENT = 4;

  private final ActorContext<Command> ctx;
  private final SafekeeperSettings settings;
  private final TimelineId id;
  private final OptionalLong term;
  private final Outbox out;
  private final ActorRef<SafekeeperSession.Command> session;
  private final boolean pageserver;
  private final Executor blocking;
  private ActorRef<TimelineAcceptor.Command> acceptor;
  private TimelineAcceptor.Positions positions;
  private Path dir;
  private long segmentSize;
  private Lsn position;          // where the next read starts
  private boolean reading;
  private int unsent;            // chunks sent to the outbox and not yet written
  private boolean streaming;
  private boolean termReached;

  static Behavior<Command> create(SafekeeperSettings settings, ActorRef<Timelines.Command> timelines, TimelineId id,
      StartReplication start, Outbox out, ActorRef<SafekeeperSession.Command> session, String applicationName) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WalSender(ctx, timers, settings, timelines, id, start, out, session, applicationName)));
  }

  private WalSender(ActorContext<Command> ctx, TimerScheduler<Command> timers, SafekeeperSettings settings,
      ActorRef<Timelines.Command> timelines, TimelineId id, StartReplication start, Outbox out,
      ActorRef<SafekeeperSession.Command> session, String applicationName) {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.id = id;
    this.term = start.term();
    this.out = out;
    this.session = session;
    this.position = start.start();
    this.pageserver = applicationName.startsWith("pageserver");
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
    timers.startTimerWithFixedDelay(Keepalive.INSTANCE, Duration.ofSeconds(1));
    ctx.ask(Timelines.Resolved.class, timelines, Duration.ofSeconds(10), r -> new Timelines.Resolve(id, Optional.empty(), r),
        (res, err) -> new Found(res != null ? res : new Timelines.NotFound(SkError.STORAGE.failure("registry did not answer"))));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Found.class, this::onFound)
        .onMessage(Status.class, this::onStatus)
        .onMessage(PositionsChanged.class, this::onPositions)
        .onMessage(ChunkRead.class, this::onChunkRead)
        .onMessage(Sent.class, this::onSent)
        .onMessageEquals(Keepalive.INSTANCE, this::onKeepalive)
        .onMessage(FromClient.class, this::onClient)
        .build();
  }

  private Behavior<Command> onFound(Found m) {
    if (m.resolved() instanceof Timelines.NotFound nf) return fail(nf.failure().message());
    acceptor = ((Timelines.Found) m.resolved()).acceptor();
    ctx.ask(TimelineStatus.class, acceptor, Duration.ofSeconds(10), TimelineAcceptor.GetStatus::new,
        (s, err) -> s != null ? new Status(s) : new FromClient(null));
    return this;
  }

  private Behavior<Command> onStatus(Status m) {
    TimelineStatus s = m.status();
    segmentSize = s.walSegSize();
    dir = settings.timelineDir(id.tenantId(), id.timelineId());
    Lsn firstSegment = s.timelineStartLsn().segmentStart(segmentSize);
    if (position.isBefore(firstSegment)) {
      return fail("requested WAL at " + position + " is before timeline " + id + " starts at " + s.timelineStartLsn());
    }
    if (term.isPresent() && s.term() != term.getAsLong()) {
      return fail("failed to acquire term " + Long.toUnsignedString(term.getAsLong()) + ": this safekeeper is in term "
          + Long.toUnsignedString(s.term()));
    }
    out.send(new CopyResponse.CopyBothResponse(0, List.of()));
    streaming = true;
    acceptor.tell(new TimelineAcceptor.Subscribe(ctx.messageAdapter(TimelineAcceptor.Positions.class, PositionsChanged::new)));
    return this;
  }

  private Behavior<Command> onPositions(PositionsChanged m) {
    positions = m.positions();
    if (term.isPresent() && positions.lastLogTerm() == term.getAsLong()) termReached = true;
    // The donor adopts the leader's history only when ProposerElected arrives, so its last log term
    // may lag at first; what must never happen is a different term taking over.
    boolean termLost = positions.term() != term.orElse(positions.term()) || (termReached && positions.lastLogTerm() != term.getAsLong());
    if (term.isPresent() && termLost) {
      return fail("term " + Long.toUnsignedString(term.getAsLong()) + " ended on this safekeeper (term "
          + Long.toUnsignedString(positions.term()) + ", last log term " + Long.toUnsignedString(positions.lastLogTerm()) + ")");
    }
    return pump();
  }

  /** The last byte a reader may have: flush_lsn within its term, commit_lsn otherwise. */
  private Lsn bound() {
    if (positions == null) return position;
    return term.isPresent() ? positions.flushLsn() : positions.commitLsn();
  }

  private Behavior<Command> pump() {
    if (reading || unsent >= MAX_UNSENT || !streaming || !position.isBefore(bound())) return this;
    Lsn bound = bound();
    Lsn end = Lsn.min(bound, position.plus(MAX_CHUNK));
    Lsn segmentEnd = position.segmentStart(segmentSize).plus(segmentSize);
    end = Lsn.min(end, segmentEnd);
    if (end.isBefore(bound) && end.pageStart().isAfter(position)) end = end.pageStart();   // walsender convention
    int n = (int) end.minus(position);
    Lsn start = position;
    position = end;
    reading = true;
    CompletableFuture.supplyAsync(() -> read(start, n), blocking).whenComplete((bytes, err) ->
        ctx.getSelf().tell(new ChunkRead(start, bytes, err)));
    return this;
  }

  private byte[] read(Lsn start, int n) {
    ByteBuffer buf = ByteBuffer.allocate(n);
    try {
      int got = WalSegments.read(dir, segmentSize, start, buf);
      if (got < n) throw new IllegalStateException("WAL at " + start + " is not on disk (" + Math.max(got, 0) + " of " + n + " bytes)");
    } catch (IOException e) {
      throw new IllegalStateException("reading WAL at " + start + ": " + e.getMessage(), e);
    }
    return buf.array();
  }

  private Behavior<Command> onChunkRead(ChunkRead m) {
    if (m.error() != null) return fail(rootMessage(m.error()));
    reading = false;
    unsent++;
    var data = new ReplicationMessage.XLogData(m.start(), bound(), PgTime.now(), m.bytes());
    out.send(data.toCopyData()).whenComplete((done, err) -> ctx.getSelf().tell(new Sent(err)));
    return pump();
  }

  private Behavior<Command> onSent(Sent m) {
    if (m.error() != null) return Behaviors.stopped();   // the reader went away
    unsent--;
    return pump();
  }

  private Behavior<Command> onKeepalive() {
    if (!streaming || reading || unsent > 0) return this;
    out.send(new ReplicationMessage.PrimaryKeepalive(bound(), PgTime.now(), true).toCopyData());
    return this;
  }

  private Behavior<Command> onClient(FromClient m) {
    if (m.message() == null) return fail("timeline " + id + " did not report its status");
    if (m.message() instanceof CopyDone) {
      // The reader is done (pg_receivewal --endpos): finish the copy and go back to commands.
      out.send(new CopyDone());
      out.send(new CommandComplete("START_STREAMING"));
      out.send(ReadyForQuery.IDLE);
      session.tell(new SafekeeperSession.SenderDone(Optional.empty()));
      return Behaviors.stopped();
    }
    if (m.message() instanceof CopyData d) {
      try {
        ReplicationMessage reply = ReplicationMessage.decode(d.data());
        if (reply instanceof ReplicationMessage.StandbyStatusUpdate r && pageserver && acceptor != null) {
          acceptor.tell(new TimelineAcceptor.RemoteConsistent(r.apply()));   // a pageserver reports remote_consistent_lsn as apply
        }
      } catch (ProtocolException e) {
        return fail("malformed reply from the WAL reader: " + e.getMessage());
      }
    }
    return this;
  }

  private Behavior<Command> fail(String message) {
    session.tell(new SafekeeperSession.SenderDone(Optional.of(message)));
    return Behaviors.stopped();
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage();
  }
}
