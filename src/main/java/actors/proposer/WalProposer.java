package actors.proposer;

import actors.proposer.Election.Action;
import actors.proposer.Election.BecameLeader;
import actors.proposer.Election.NeedsStartLsn;
import actors.proposer.Election.SendElected;
import actors.proposer.Election.SendVoteRequest;
import actors.proposer.PostgresControl.ServerInfo;
import actors.proposer.ProposerSettings.Endpoint;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import wire.pg.PgTime;
import wire.pg.ReplicationMessage.PrimaryKeepalive;
import wire.pg.ReplicationMessage.StandbyStatusUpdate;
import wire.pg.ReplicationMessage.XLogData;
import wire.sk.AcceptorMessage;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.xlog.Lsn;

/**
 * The Paxos proposer of one timeline (safekeeper.md §4). It greets the safekeepers through one
 * {@link SafekeeperLink} each, wins an election ({@link Election}), and then streams WAL to every
 * safekeeper from where that one's history agrees with the leader's. In normal mode the WAL comes
 * from a local PostgreSQL's physical replication slot and commit_lsn goes back to PostgreSQL as the
 * standby's flush position; WAL below what this proposer holds comes from the donor safekeeper
 * ({@link WalFeeds}). In sync-safekeepers mode there is no PostgreSQL: it makes a quorum hold and
 * commit everything up to the term start, reports that LSN and stops.
 */
public final class WalProposer extends AbstractBehavior<WalProposer.Command> {
  public sealed interface Command permits GetStatus, FromLink, Tick, Prepared, FreshStart,
      PostgresFlush, PostgresFailed, Finish, WalFeeds.Input, PostgresWal.Input {}
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}
  record FromLink(SafekeeperLink.Report report) implements Command {}
  record Tick() implements Command {}
  private record Prepared(ServerInfo info) implements Command {}
  private record FreshStart(Lsn lsn) implements Command {}
  private record PostgresFlush(Lsn flush) implements Command {}
  private record PostgresFailed(String step, Throwable cause) implements Command {}
  private record Finish() implements Command {}

  /** What the proposer is doing. {@code flushAcks} are per safekeeper, in configured order. */
  public record Status(Election.Phase phase, long term, Lsn termStartLsn, Lsn commitLsn, Lsn truncateLsn,
      Lsn availableLsn, List<Lsn> flushAcks) {}

  /** The end of a sync-safekeepers run. */
  public sealed interface SyncOutcome {}
  public record Synced(Lsn lsn) implements SyncOutcome {}
  public record SyncFailed(String message) implements SyncOutcome {}

  /** PostgreSQL's version and segment size a sync-safekeepers greeting claims (system id 0: unknown). */
  static final int SYNC_PG_VERSION = 150000;

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ProposerSettings settings;
  private final ActorRef<SyncOutcome> outcome;
  private final Lsn freshStart;
  private final Election election;
  private final long[] connections;
  /** The sending end of each safekeeper's current connection (null until its first Up). */
  private final SafekeeperWire[] wires;
  private final boolean[] up;
  private ProposerGreeting greeting;
  private WalFeeds feeds;
  private PostgresWal postgresWal;
  private boolean finished;

  /** Where to run it: WAL and answers are handled on the thread that read them (strata.proposer-io). */
  public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("strata.proposer-io");

  /** Normal mode, restarted from scratch after a fatal condition (a new election in a higher term). */
  public static Behavior<Command> normal(ProposerSettings settings) {
    return normal(settings, Lsn.INVALID);
  }

  /**
   * Normal mode for a PostgreSQL started from a basebackup at {@code freshStart}: if no safekeeper
   * holds WAL yet, the timeline's WAL starts there (where that server's redo began, so the
   * pageserver sees no gap) instead of at a checkpoint forced now. 0/0 means force a checkpoint.
   */
  public static Behavior<Command> normal(ProposerSettings settings, Lsn freshStart) {
    if (settings.syncMode()) throw new IllegalArgumentException("normal mode needs a PostgreSQL URL");
    return Behaviors.supervise(create(settings, null, freshStart))
        .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(settings.reconnect(), Duration.ofSeconds(30), 0.2));
  }

  /** sync-safekeepers: reports one outcome, then stops. */
  public static Behavior<Command> sync(ProposerSettings settings, ActorRef<SyncOutcome> outcome) {
    if (!settings.syncMode()) throw new IllegalArgumentException("sync-safekeepers runs without PostgreSQL");
    return create(settings, outcome, Lsn.INVALID);
  }

  private static Behavior<Command> create(ProposerSettings settings, ActorRef<SyncOutcome> outcome, Lsn freshStart) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new WalProposer(ctx, timers, settings, outcome, freshStart)));
  }

  private WalProposer(ActorContext<Command> ctx, TimerScheduler<Command> timers, ProposerSettings settings,
      ActorRef<SyncOutcome> outcome, Lsn freshStart) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.outcome = outcome;
    this.freshStart = freshStart;
    List<String> names = settings.safekeepers().stream().map(Endpoint::toString).toList();
    this.election = new Election(names);
    this.connections = new long[names.size()];
    this.up = new boolean[names.size()];
    this.wires = new SafekeeperWire[names.size()];
    ActorRef<SafekeeperLink.Report> reports = ctx.messageAdapter(SafekeeperLink.Report.class, FromLink::new);
    for (int i = 0; i < names.size(); i++) {
      Endpoint e = settings.safekeepers().get(i);
      SafekeeperLink.Settings s = new SafekeeperLink.Settings(e.host(), e.port(), settings.tenantId(), settings.timelineId(),
          settings.reconnect(), settings.silence(), 64);
      ctx.spawn(SafekeeperLink.create(i, s, reports), "sk-" + i);
    }
    timers.startTimerWithFixedDelay(new Tick(), settings.heartbeat());
    if (settings.syncMode()) {
      greeting = new ProposerGreeting(settings.tenantId(), settings.timelineId(), MembershipConfiguration.NONE,
          SYNC_PG_VERSION, 0, (int) Lsn.DEFAULT_SEGMENT_SIZE);
    } else {
      PostgresUrl pg = settings.postgres().orElseThrow();
      ctx.pipeToSelf(PostgresControl.prepare(ctx.getSystem(), pg, settings.slot()),
          (info, failure) -> failure == null ? new Prepared(info) : new PostgresFailed("prepare " + pg, failure));
    }
    ctx.getLog().info("proposer starting mode={} tenant={} timeline={} safekeepers={}", settings.syncMode() ? "sync" : "normal",
        settings.tenantId(), settings.timelineId(), names);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStatus.class, m -> {
          m.replyTo().tell(status());
          return this;
        })
        .onMessage(FromLink.class, m -> guarded(() -> onLink(m.report())))
        .onMessage(Tick.class, m -> guarded(this::onTick))
        .onMessage(Prepared.class, m -> guarded(() -> onPrepared(m.info())))
        .onMessage(FreshStart.class, m -> guarded(() -> handle(election.bootstrap(m.lsn()))))
        .onMessage(PostgresFlush.class, m -> guarded(() -> onPostgresFlush(m.flush())))
        .onMessage(PostgresFailed.class, m -> guarded(() -> {
          throw new ProposerFatal(ProposerFatal.Reason.POSTGRES_UNAVAILABLE, m.step() + " failed: " + describe(m.cause()));
        }))
        .onMessage(WalFeeds.Input.class, m -> guarded(() -> {
          if (feeds != null) feeds.onInput(m);
          return this;
        }))
        .onMessage(PostgresWal.Input.class, m -> guarded(() -> {
          if (postgresWal != null) postgresWal.onInput(m, this::onPostgresWal);
          afterProgress();
          return this;
        }))
        .onMessage(Finish.class, m -> Behaviors.stopped())
        .onSignal(PreRestart.class, s -> stopStreams())
        .onSignal(PostStop.class, s -> stopStreams())
        .build();
  }

  /** Runs a handler; in sync mode a fatal condition ends the run with a failure instead of a restart. */
  private Behavior<Command> guarded(Supplier<Behavior<Command>> handler) {
    try {
      return handler.get();
    } catch (ProposerFatal fatal) {
      if (!settings.syncMode()) {
        ctx.getLog().warn("proposer restarting term={} reason={} detail={}", election.term(), fatal.reason(), fatal.getMessage());
        throw fatal;
      }
      ctx.getLog().warn("sync-safekeepers failed term={} reason={} detail={}", election.term(), fatal.reason(), fatal.getMessage());
      return finish(new SyncFailed(fatal.getMessage()));
    }
  }

  private Behavior<Command> onPrepared(ServerInfo info) {
    greeting = new ProposerGreeting(settings.tenantId(), settings.timelineId(), MembershipConfiguration.NONE,
        info.pgVersion(), info.systemId(), info.walSegSize());
    ctx.getLog().info("postgres ready system_id={} pg_version={} wal_seg_size={} slot={}", Long.toUnsignedString(info.systemId()),
        info.pgVersion(), info.walSegSize(), settings.slot());
    for (int i = 0; i < up.length; i++) if (up[i]) send(i, greeting);
    return this;
  }

  private Behavior<Command> onLink(SafekeeperLink.Report report) {
    if (report instanceof SafekeeperLink.Up u) {
      connections[u.sk()] = u.connection();
      wires[u.sk()] = u.wire();
      up[u.sk()] = true;
      election.onConnected(u.sk());
      if (greeting != null) send(u.sk(), greeting);
    } else if (report instanceof SafekeeperLink.Down d) {
      if (d.connection() != connections[d.sk()]) return this;
      up[d.sk()] = false;
      election.onDisconnected(d.sk());
      if (feeds != null) feeds.stop(d.sk());
    } else if (report instanceof SafekeeperLink.Written w) {
      if (w.connection() == connections[w.sk()] && feeds != null) feeds.onWritten(w.sk(), w.connection());
      afterProgress();
    } else if (report instanceof SafekeeperLink.Received r) {
      if (r.connection() != connections[r.sk()] || !up[r.sk()]) return this;
      return onAcceptorMessage(r.sk(), r.message());
    }
    return this;
  }

  private Behavior<Command> onAcceptorMessage(int sk, AcceptorMessage m) {
    if (m instanceof AcceptorGreeting g) {
      Election.Phase before = election.phase();
      Behavior<Command> next = handle(election.onGreeting(sk, g));
      if (before != election.phase()) {
        ctx.getLog().info("proposer campaigning term={} greeted_by={}", election.term(), election.name(sk));
      }
      return next;
    }
    if (m instanceof VoteResponse v) return handle(election.onVote(sk, v));
    AppendResponse r = (AppendResponse) m;
    if (election.onAppendResponse(sk, r)) onCommitAdvanced();
    if (settings.syncMode() && election.syncComplete()) return syncDone();
    return this;
  }

  private Behavior<Command> handle(List<Action> actions) {
    for (Action a : actions) {
      if (a instanceof SendVoteRequest v) {
        send(v.sk(), v.request());
      } else if (a instanceof SendElected e) {
        if (feeds == null) continue;   // sync-safekeepers already ended at the election: nothing to stream
        send(e.sk(), e.elected());
        feeds.start(e.sk(), wires[e.sk()], e.elected().startStreamingAt());
      } else if (a instanceof NeedsStartLsn) {
        if (settings.syncMode()) {
          ctx.getLog().info("proposer elected term={} no WAL on any safekeeper", election.term());
          return finish(new Synced(Lsn.INVALID));
        }
        if (freshStart.isValid()) {
          ctx.getSelf().tell(new FreshStart(freshStart));
          continue;
        }
        PostgresUrl pg = settings.postgres().orElseThrow();
        ctx.pipeToSelf(PostgresControl.freshStart(ctx.getSystem(), pg),
            (lsn, failure) -> failure == null ? new FreshStart(lsn) : new PostgresFailed("checkpoint on " + pg, failure));
      } else if (a instanceof BecameLeader l) {
        ctx.getLog().info("proposer elected term={} term_start_lsn={} truncate_lsn={} donor={} history={}", l.term(),
            l.termStartLsn(), l.truncateLsn(), election.name(l.donor()), l.history().entries());
        if (settings.syncMode() && election.agreedAtElection()) return syncDone();
        feeds = new WalFeeds(ctx, settings, election, wires.length, l.termStartLsn());
        if (!settings.syncMode()) {
          PostgresUrl pg = settings.postgres().orElseThrow();
          ctx.pipeToSelf(PostgresControl.flushLsn(ctx.getSystem(), pg),
              (flush, failure) -> failure == null ? new PostgresFlush(flush) : new PostgresFailed("flush position of " + pg, failure));
        }
      }
    }
    return this;
  }

  /** §4.4 step 4 for a vanilla PostgreSQL: it must hold at least the WAL the safekeepers agreed on. */
  private Behavior<Command> onPostgresFlush(Lsn flush) {
    Lsn start = election.termStartLsn();
    if (flush.isBefore(start)) {
      throw new ProposerFatal(ProposerFatal.Reason.POSTGRES_BEHIND, "PostgreSQL " + settings.postgres().orElseThrow()
          + " has flushed WAL up to " + flush + " but the safekeepers hold WAL up to " + start + ": it is not this timeline's primary");
    }
    postgresWal = new PostgresWal(ctx, settings.postgres().orElseThrow(), settings.slot(), settings.reconnect());
    postgresWal.start(start);
    ctx.getLog().info("proposer streaming term={} from={} postgres_flush={}", election.term(), start, flush);
    return this;
  }

  /** Takes one message from PostgreSQL's walsender; true when the next one may come at once. */
  private boolean onPostgresWal(wire.pg.ReplicationMessage m) {
    if (m instanceof XLogData x) {
      feeds.onLocalWal(x.start(), x.data());
      return feeds.bufferHasRoom();
    }
    if (m instanceof PrimaryKeepalive k && k.replyRequested()) reportToPostgres();
    return true;
  }

  private void onCommitAdvanced() {
    ctx.getLog().debug("commit advanced term={} commit_lsn={} truncate_lsn={}", election.term(), election.commitLsn(),
        election.truncateLsn());
    reportToPostgres();   // first: the waiting commits return as soon as possible
    // Then every safekeeper learns the new commit_lsn at once (reference §4.7: "immediately broadcast"):
    // a proposer that stops right after a commit, or goes idle, must not leave it behind. Carrying it
    // only in the next append halved the appends per commit but gained no TPS in a quiet A/B run.
    feeds.broadcastCommit();
    afterProgress();
  }

  /** Releases WAL every safekeeper got or a quorum holds, and lets PostgreSQL send more if there is room. */
  private void afterProgress() {
    if (feeds == null) return;
    feeds.trim();
    if (postgresWal != null && feeds.bufferHasRoom()) postgresWal.release();
  }

  /** commit_lsn as the standby's write, flush and apply positions: synchronous commits wait for it. */
  private void reportToPostgres() {
    Lsn commit = election.commitLsn();
    if (postgresWal == null || !commit.isValid()) return;
    postgresWal.reply(new StandbyStatusUpdate(commit, commit, commit, PgTime.now(), false));
  }

  private Behavior<Command> onTick() {
    if (feeds != null) {
      feeds.heartbeat();
      feeds.pumpAll();
    }
    reportToPostgres();
    if (postgresWal != null) postgresWal.restartIfStopped(feeds.availableLsn());
    return this;
  }

  private Behavior<Command> syncDone() {
    if (finished) return this;
    Lsn lsn = election.termStartLsn();
    if (feeds != null) feeds.heartbeat();   // safekeepers learn the final truncate_lsn
    ctx.getLog().info("sync-safekeepers done term={} lsn={}", election.term(), lsn);
    return finish(new Synced(lsn));
  }

  /** Reports the outcome once and stops shortly after, so queued messages reach the sockets. */
  private Behavior<Command> finish(SyncOutcome result) {
    if (!finished) {
      finished = true;
      outcome.tell(result);
      timers.startSingleTimer(new Finish(), Duration.ofMillis(200));
    }
    return this;
  }

  private void send(int sk, ProposerMessage m) {
    if (up[sk]) wires[sk].send(m);
  }

  private Behavior<Command> stopStreams() {
    if (feeds != null) feeds.stopAll();
    if (postgresWal != null) postgresWal.stop();
    return this;
  }

  private Status status() {
    List<Lsn> acks = new ArrayList<>();
    for (int i = 0; i < election.size(); i++) acks.add(election.flushAck(i));
    return new Status(election.phase(), election.term(), election.termStartLsn(), election.commitLsn(), election.truncateLsn(),
        feeds == null ? Lsn.INVALID : feeds.availableLsn(), acks);
  }

  static String describe(Throwable t) {
    Throwable root = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  static AppendRequest heartbeatAt(long term, Lsn at, Lsn commit, Lsn truncate) {
    return new AppendRequest(Election.GENERATION, term, at, at, commit, truncate, new byte[0]);
  }
}
