package actors.compute;

import actors.proposer.ProposerSettings;
import actors.proposer.WalProposer;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import wire.xlog.Lsn;

/**
 * compute_ctl (compute.md A.4-A.10): owns one PostgreSQL, its WAL proposer and the state the
 * HTTP API reports. A start runs the steps of {@link StartupStep} in order, each completing with a
 * message; {@code attempt} tags every asynchronous result so one from an abandoned start or
 * reconfiguration is dropped. When PostgreSQL exits, for a stop or not, the proposer stops and a
 * primary runs a final sync-safekeepers, whose LSN ends the compute: Terminated after /terminate,
 * Failed (with the reason) otherwise.
 */
public final class ComputeNode extends AbstractBehavior<ComputeNode.Command> {
  public sealed interface Command permits GetStatus, Configure, Terminate, RefreshConfiguration, GetStartupMetrics,
      SpecLoaded, StepDone, StepFailed, FastChecked, SyncResult, SyncTimedOut, PostgresExited, StopFailed, Reconfigured, RefreshLoaded,
      RetryRefresh, ActivitySeen {}
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}
  public record Configure(ComputeSpec spec, ActorRef<ConfigureReply> replyTo) implements Command {}
  public record Terminate(TerminationMode mode, ActorRef<TerminateReply> replyTo) implements Command {}
  public record RefreshConfiguration(ActorRef<RefreshReply> replyTo) implements Command {}
  public record GetStartupMetrics(ActorRef<StartupSpans> replyTo) implements Command {}
  private record SpecLoaded(Optional<String> text, Throwable failure) implements Command {}
  private record StepDone(int attempt, StartupStep step, Object value) implements Command {}
  private record StepFailed(int attempt, StartupStep step, Throwable cause) implements Command {}
  private record FastChecked(int attempt, Optional<Lsn> agreed) implements Command {}
  private record SyncResult(int run, WalProposer.SyncOutcome outcome) implements Command {}
  private record SyncTimedOut(int run) implements Command {}
  private record PostgresExited(int code) implements Command {}
  private record StopFailed(Throwable cause) implements Command {}
  private record Reconfigured(int attempt, boolean refresh, Throwable failure) implements Command {}
  private record RefreshLoaded(Optional<String> text, Throwable failure) implements Command {}
  private record RetryRefresh() implements Command {}
  private record ActivitySeen(Instant at) implements Command {}

  /** One state change, for /status's history. */
  public record Transition(ComputeState state, Instant at) {}

  /** What /status shows. */
  public record Status(ComputeState state, Instant startTime, Optional<String> tenantId, Optional<String> timelineId,
      Optional<String> mode, Optional<Instant> lastActive, Optional<String> error, List<Transition> history) {}

  public sealed interface ConfigureReply {}
  public sealed interface TerminateReply {}
  public sealed interface RefreshReply {}
  /** The compute runs the new spec. */
  public record Configured(Status status) implements ConfigureReply {}
  /** PostgreSQL is gone; {@code lsn} is the final sync's (primary only); {@code already} when it was so before. */
  public record Stopped(Optional<Lsn> lsn, boolean already) implements TerminateReply {}
  public record RefreshAccepted(ComputeState state) implements RefreshReply {}
  /** Not done, with the HTTP status that says why: 400 bad spec, 412 wrong state, 500 failed. */
  public record Refused(int httpStatus, String message) implements ConfigureReply, TerminateReply, RefreshReply {}

  private static final int HISTORY = 100;

  private final ComputeSettings settings;
  private final ComputeSteps steps;
  private final ComputeMetrics metrics;
  private final TimerScheduler<Command> timers;
  private final Executor blocking;
  private final Instant created = Instant.now();
  private final Deque<Transition> history = new ArrayDeque<>();
  private final List<ActorRef<ConfigureReply>> configureWaiters = new ArrayList<>();
  private final List<ActorRef<TerminateReply>> terminateWaiters = new ArrayList<>();
  private ComputeState state;
  private Instant startTime = created;
  private Optional<String> error = Optional.empty();
  private Optional<Instant> lastActive = Optional.empty();
  private ComputeSpec spec;
  private ComputeSpec pendingSpec;
  private StartupSpans spans = StartupSpans.waitedForSpec(Duration.ZERO);
  private int attempt;
  private int syncRun;
  private int spawned;   // numbers child names, which must be unique
  private long startNanos;
  private long stepNanos;
  private ComputeSteps.Postgres postgres;
  private ActorRef<WalProposer.Command> proposer;
  private ActorRef<WalProposer.Command> syncer;
  private ActorRef<ActivityMonitor.Command> monitor;
  private Optional<String> exitReason = Optional.empty();   // set once PostgreSQL exited on its own
  private Optional<Lsn> finalLsn = Optional.empty();
  private Lsn basebackupLsn = Lsn.INVALID;
  private final SpecFile specFile;

  public static Behavior<Command> create(ComputeSettings settings, ComputeSteps steps, ComputeMetrics metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ComputeNode(ctx, timers, settings, steps, metrics)));
  }

  private ComputeNode(ActorContext<Command> ctx, TimerScheduler<Command> timers, ComputeSettings settings, ComputeSteps steps,
      ComputeMetrics metrics) {
    super(ctx);
    this.settings = settings;
    this.steps = steps;
    this.metrics = metrics;
    this.timers = timers;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
    this.specFile = new SpecFile(settings.specFile(), blocking);
    become(ComputeState.EMPTY);
    ctx.pipeToSelf(specFile.read(), SpecLoaded::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStatus.class, m -> reply(m.replyTo(), status()))
        .onMessage(GetStartupMetrics.class, m -> reply(m.replyTo(), spans))
        .onMessage(Configure.class, this::onConfigure)
        .onMessage(Terminate.class, this::onTerminate)
        .onMessage(RefreshConfiguration.class, this::onRefresh)
        .onMessage(SpecLoaded.class, this::onSpecLoaded)
        .onMessage(StepDone.class, this::onStepDone)
        .onMessage(StepFailed.class, m -> {
          if (m.attempt() == attempt && state == ComputeState.INIT && exitReason.isEmpty()) {
            failStart(m.step().description() + " failed: " + Failures.rootMessage(m.cause()));
          }
          return this;
        })
        .onMessage(FastChecked.class, this::onFastChecked)
        .onMessage(SyncResult.class, this::onSyncResult)
        .onMessage(SyncTimedOut.class, m -> {
          if (m.run() != syncRun || syncer == null) return this;
          getContext().stop(syncer);
          return onSyncResult(new SyncResult(m.run(), new WalProposer.SyncFailed("sync-safekeepers did not finish within "
              + settings.syncTimeout().toSeconds() + " s")));
        })
        .onMessage(PostgresExited.class, this::onPostgresExited)
        .onMessage(StopFailed.class, m -> {
          getContext().getLog().warn("pg_ctl stop failed, stopping PostgreSQL immediately: {}", Failures.rootMessage(m.cause()));
          ComputeSteps.Postgres pg = postgres;
          if (pg != null) CompletableFuture.runAsync(pg::stopNow, blocking);
          return this;
        })
        .onMessage(Reconfigured.class, this::onReconfigured)
        .onMessage(RefreshLoaded.class, this::onRefreshLoaded)
        .onMessage(RetryRefresh.class, m -> startRefresh())
        .onMessage(ActivitySeen.class, m -> {
          lastActive = Activity.advance(lastActive, Optional.of(m.at()));
          lastActive.ifPresent(metrics::lastActive);
          return this;
        })
        .onSignal(PostStop.class, s -> {
          if (postgres != null) postgres.stopNow();   // never leave a postmaster behind
          return this;
        })
        .build();
  }

  // ---- configuration -------------------------------------------------------------------------

  private Behavior<Command> onSpecLoaded(SpecLoaded m) {
    if (state != ComputeState.EMPTY) return this;   // a /configure came first
    if (m.failure() != null) {
      error = Optional.of("cannot read " + settings.specFile() + ": " + Failures.rootMessage(m.failure()));
      become(ComputeState.FAILED);
    } else if (m.text().isPresent()) {
      try {
        spec = ComputeSpecJson.parse(m.text().get());
      } catch (InvalidSpec e) {
        error = Optional.of(settings.specFile() + ": " + e.getMessage());
        become(ComputeState.FAILED);
        return this;
      }
      getContext().getLog().info("compute starting from {} tenant={} timeline={}", settings.specFile(), spec.tenantId(), spec.timelineId());
      startInit(Duration.ZERO);
    }
    return this;
  }

  private Behavior<Command> onConfigure(Configure m) {
    if (state == ComputeState.EMPTY) {
      spec = m.spec();
      specFile.write(spec);
      configureWaiters.add(m.replyTo());
      become(ComputeState.CONFIGURATION_PENDING);
      startInit(Duration.between(created, Instant.now()));
    } else if (state == ComputeState.RUNNING && exitReason.isEmpty()) {
      Optional<String> incompatible = m.spec().incompatibleWith(spec);
      if (incompatible.isPresent()) return reply(m.replyTo(), new Refused(400, incompatible.get()));
      specFile.write(m.spec());
      configureWaiters.add(m.replyTo());
      become(ComputeState.CONFIGURATION_PENDING);
      become(ComputeState.CONFIGURATION);
      reconfigure(m.spec(), false);
    } else {
      return reply(m.replyTo(), new Refused(412, "invalid compute status: " + state.human()));
    }
    return this;
  }

  private void reconfigure(ComputeSpec next, boolean refresh) {
    pendingSpec = next;
    int a = ++attempt;
    ComputeSteps.Postgres pg = postgres;
    CompletionStage<Void> work = steps.writeConfig(next).thenCompose(v -> pg.reload())
        .thenCompose(v -> next.mode().isPrimary() && !next.skipPgCatalogUpdates() ? steps.applySpec(next) : CompletableFuture.completedStage(null));
    getContext().pipeToSelf(work, (v, failure) -> new Reconfigured(a, refresh, failure));
  }

  private Behavior<Command> onReconfigured(Reconfigured m) {
    if (m.attempt() != attempt || exitReason.isPresent()) return this;
    if (m.failure() != null) {
      String reason = "compute configuration failed: " + Failures.rootMessage(m.failure());
      if (m.refresh()) return refreshFailed(reason);
      error = Optional.of(reason);
      become(ComputeState.FAILED);
      answerConfigure(new Refused(500, reason));
      return this;
    }
    ComputeSpec old = spec;
    spec = pendingSpec;
    if (spec.mode().isPrimary() && !new HashSet<>(old.safekeepers()).equals(new HashSet<>(spec.safekeepers()))) {
      stopProposer();   // a new list of safekeepers needs a new election; a reordered one does not
      startProposer(Lsn.INVALID);
    }
    error = Optional.empty();
    become(ComputeState.RUNNING);
    answerConfigure(new Configured(status()));
    return this;
  }

  private Behavior<Command> onRefresh(RefreshConfiguration m) {
    if (state == ComputeState.INIT) return reply(m.replyTo(), new RefreshAccepted(state));
    boolean allowed = exitReason.isEmpty() && (state == ComputeState.RUNNING || state == ComputeState.REFRESH_CONFIGURATION_PENDING
        || (state == ComputeState.FAILED && postgres != null));
    if (!allowed) return reply(m.replyTo(), new Refused(412, "invalid compute status: " + state.human()));
    if (state != ComputeState.REFRESH_CONFIGURATION_PENDING) {
      become(ComputeState.REFRESH_CONFIGURATION_PENDING);
      getContext().getSelf().tell(new RetryRefresh());   // picked up after this reply, as compute_ctl's configurator does
    }
    return reply(m.replyTo(), new RefreshAccepted(state));
  }

  /** Re-reads spec.json (the compute's stored configuration, which the control plane may have rewritten). */
  private Behavior<Command> startRefresh() {
    if (state != ComputeState.REFRESH_CONFIGURATION_PENDING) return this;
    become(ComputeState.REFRESH_CONFIGURATION);
    getContext().pipeToSelf(specFile.read(), RefreshLoaded::new);
    return this;
  }

  private Behavior<Command> onRefreshLoaded(RefreshLoaded m) {
    if (state != ComputeState.REFRESH_CONFIGURATION || exitReason.isPresent()) return this;
    if (m.failure() != null) return refreshFailed("cannot read " + settings.specFile() + ": " + Failures.rootMessage(m.failure()));
    if (m.text().isEmpty()) return refreshFailed(settings.specFile() + " does not exist");
    ComputeSpec next;
    try {
      next = ComputeSpecJson.parse(m.text().get());
    } catch (InvalidSpec e) {
      return refreshFailed(settings.specFile() + ": " + e.getMessage());
    }
    Optional<String> incompatible = next.incompatibleWith(spec);
    if (incompatible.isPresent()) return refreshFailed(incompatible.get());
    if (next.document().equals(spec.document()) && error.isEmpty()) {
      become(ComputeState.RUNNING);
      return this;
    }
    reconfigure(next, true);
    return this;
  }

  private Behavior<Command> refreshFailed(String reason) {
    getContext().getLog().warn("refresh of the configuration failed, retrying in {}: {}", settings.refreshRetry(), reason);
    become(ComputeState.REFRESH_CONFIGURATION_PENDING);
    timers.startSingleTimer(new RetryRefresh(), settings.refreshRetry());
    return this;
  }

  // ---- startup -------------------------------------------------------------------------------

  private void startInit(Duration waitedForSpec) {
    attempt++;
    startNanos = System.nanoTime();
    startTime = Instant.now();
    error = Optional.empty();
    spans = StartupSpans.waitedForSpec(waitedForSpec);
    become(ComputeState.INIT);
    getContext().getLog().info("compute init tenant={} timeline={} mode={}", spec.tenantId(), spec.timelineId(), spec.mode().word());
    if (spec.mode().isPrimary()) {
      stepNanos = System.nanoTime();
      int a = attempt;
      getContext().pipeToSelf(SafekeeperFastCheck.run(blocking, spec.safekeepers(), spec.tenantId(), spec.timelineId()),
          (agreed, failure) -> new FastChecked(a, failure == null ? agreed : Optional.empty()));
    } else {
      Lsn at = spec.mode() instanceof ComputeMode.Static s ? s.lsn() : Lsn.INVALID;
      runStep(StartupStep.WAIT_FOR_PAGESERVER, steps.waitForPageserver(spec, at));
    }
  }

  private void runStep(StartupStep step, CompletionStage<?> work) {
    int a = attempt;
    stepNanos = System.nanoTime();
    getContext().pipeToSelf(work, (v, failure) -> failure == null ? new StepDone(a, step, v) : new StepFailed(a, step, failure));
  }

  private Behavior<Command> onStepDone(StepDone m) {
    if (m.attempt() != attempt || state != ComputeState.INIT || exitReason.isPresent()) {
      if (m.value() instanceof ComputeSteps.Postgres stale) CompletableFuture.runAsync(stale::stopNow, blocking);
      return this;
    }
    spans = spans.with(m.step(), Duration.ofNanos(System.nanoTime() - stepNanos));
    metrics.spans(spans);
    getContext().getLog().info("compute step done step={} took_ms={}", m.step().metricName().replace("_ms", ""),
        spans.steps().get(m.step()).toMillis());
    switch (m.step()) {
      case SYNC_SAFEKEEPERS -> runStep(StartupStep.WAIT_FOR_PAGESERVER, steps.waitForPageserver(spec, (Lsn) m.value()));
      case WAIT_FOR_PAGESERVER -> {
        basebackupLsn = (Lsn) m.value();
        runStep(StartupStep.BASEBACKUP, steps.basebackup(spec, basebackupLsn));
      }
      case BASEBACKUP -> {
        spans = spans.withBasebackupBytes((Long) m.value());
        runStep(StartupStep.CONFIG, steps.writeConfig(spec));
      }
      case CONFIG -> runStep(StartupStep.START_POSTGRES, steps.startPostgres(spec));
      case START_POSTGRES -> {
        postgres = (ComputeSteps.Postgres) m.value();
        getContext().pipeToSelf(postgres.exit(), (code, failure) -> new PostgresExited(code == null ? -1 : code));
        if (spec.mode().isPrimary()) startProposer(basebackupLsn);
        if (spec.mode().isPrimary() && !spec.skipPgCatalogUpdates()) {
          runStep(StartupStep.APPLY_SPEC, steps.applySpec(spec));
        } else {
          running();
        }
      }
      case APPLY_SPEC -> running();
    }
    return this;
  }

  private void running() {
    spans = spans.finished(Duration.ofNanos(System.nanoTime() - startNanos));
    metrics.spans(spans);
    become(ComputeState.RUNNING);
    ActorRef<ActivityMonitor.LastActive> report = getContext().messageAdapter(ActivityMonitor.LastActive.class, a -> new ActivitySeen(a.at()));
    monitor = getContext().spawn(ActivityMonitor.create(steps.activitySource(), settings.activityInterval(), report), "activity-" + (++spawned));
    answerConfigure(new Configured(status()));
  }

  private void failStart(String reason) {
    getContext().getLog().warn("compute start failed: {}", reason);
    error = Optional.of(reason);
    stopHelpers();
    if (postgres != null) {
      ComputeSteps.Postgres pg = postgres;
      CompletableFuture.runAsync(pg::stopNow, blocking);
    }
    become(ComputeState.FAILED);
    answerConfigure(new Refused(500, "compute configuration failed: " + reason));
  }

  /** {@code freshStart}: where this PostgreSQL's WAL began, the timeline's start if the safekeepers hold none yet. */
  private void startProposer(Lsn freshStart) {
    ProposerSettings ps = ProposerSettings.of(spec.safekeepers(), spec.tenantId(), spec.timelineId(), Optional.of(steps.adminUrl()));
    proposer = getContext().spawn(WalProposer.normal(ps, freshStart), "proposer-" + (++spawned), WalProposer.DISPATCHER);
  }

  /** The fast check's LSN ends the sync step; without one the full sync-safekeepers runs. */
  private Behavior<Command> onFastChecked(FastChecked m) {
    if (m.attempt() != attempt || state != ComputeState.INIT || exitReason.isPresent()) return this;
    if (m.agreed().isEmpty()) {
      getContext().getLog().info("safekeepers do not agree on an end of WAL without a sync: running sync-safekeepers");
      startSync();
      return this;
    }
    getContext().getLog().info("safekeepers agree without a sync (commit_lsn = flush_lsn on a majority) lsn={}", m.agreed().get());
    return onStepDone(new StepDone(attempt, StartupStep.SYNC_SAFEKEEPERS, m.agreed().get()));
  }

  /** Runs sync-safekeepers; its outcome comes back as a SyncResult tagged with this run's number. */
  private void startSync() {
    int run = ++syncRun;
    ActorRef<Command> self = getContext().getSelf();
    ActorRef<WalProposer.SyncOutcome> relay = getContext().spawnAnonymous(Behaviors.<WalProposer.SyncOutcome>receiveMessage(o -> {
      self.tell(new SyncResult(run, o));
      return Behaviors.stopped();
    }));
    ProposerSettings ps = ProposerSettings.of(spec.safekeepers(), spec.tenantId(), spec.timelineId(), Optional.empty());
    syncer = getContext().spawn(WalProposer.sync(ps, relay), "sync-safekeepers-" + run, WalProposer.DISPATCHER);
    timers.startSingleTimer("sync", new SyncTimedOut(run), settings.syncTimeout());
  }

  private Behavior<Command> onSyncResult(SyncResult m) {
    if (m.run() != syncRun) return this;
    timers.cancel("sync");
    syncer = null;
    Optional<Lsn> lsn = m.outcome() instanceof WalProposer.Synced s ? Optional.of(s.lsn()) : Optional.empty();
    String failure = m.outcome() instanceof WalProposer.SyncFailed f ? f.message() : null;
    if (postgres == null && (exitReason.isPresent() || isTerminating())) return finishStop(lsn, Optional.ofNullable(failure));
    if (state != ComputeState.INIT) return this;
    if (failure != null) {
      failStart(StartupStep.SYNC_SAFEKEEPERS.description() + " failed: " + failure);
      return this;
    }
    getContext().getLog().info("sync-safekeepers at start lsn={}", lsn.get());
    return onStepDone(new StepDone(attempt, StartupStep.SYNC_SAFEKEEPERS, lsn.get()));
  }

  // ---- stopping ------------------------------------------------------------------------------

  private Behavior<Command> onTerminate(Terminate m) {
    if (state == ComputeState.TERMINATED) return reply(m.replyTo(), new Stopped(finalLsn, true));
    if (isTerminating()) {
      terminateWaiters.add(m.replyTo());
      if (m.mode() == TerminationMode.IMMEDIATE && postgres != null) stopPostgres(m.mode());
      return this;
    }
    if (state == ComputeState.EMPTY) {
      become(m.mode().pendingState());
      become(ComputeState.TERMINATED);
      return reply(m.replyTo(), new Stopped(Optional.empty(), false));
    }
    boolean stoppable = state == ComputeState.RUNNING || (state == ComputeState.FAILED && postgres != null);
    if (!stoppable || exitReason.isPresent()) return reply(m.replyTo(), new Refused(412, "invalid compute status: " + state.human()));
    terminateWaiters.add(m.replyTo());
    become(m.mode().pendingState());
    stopMonitor();
    stopPostgres(m.mode());
    return this;
  }

  private void stopPostgres(TerminationMode mode) {
    getContext().getLog().info("compute stopping postgres mode={}", mode.word());
    ActorRef<Command> self = getContext().getSelf();
    postgres.stop(mode).whenComplete((v, failure) -> {
      if (failure != null) self.tell(new StopFailed(failure));
    });
  }

  private Behavior<Command> onPostgresExited(PostgresExited m) {
    postgres = null;
    stopHelpers();
    if (isTerminating()) {
      getContext().getLog().info("postgres stopped code={}", m.code());
    } else if (state == ComputeState.FAILED) {
      getContext().getLog().info("postgres of the failed compute stopped code={}", m.code());
      return this;
    } else {
      exitReason = Optional.of("PostgreSQL exited unexpectedly with code " + m.code() + "; " + settings.postgresLog()
          + " ends with:\n" + PostgresProcess.tail(settings.postgresLog(), 10));
      getContext().getLog().warn("postgres exited unexpectedly code={} state={}", m.code(), state.json());
    }
    if (spec != null && spec.mode().isPrimary()) {
      startSync();
      return this;
    }
    return finishStop(Optional.empty(), Optional.empty());
  }

  /** After PostgreSQL is gone and the final sync (if any) ran. */
  private Behavior<Command> finishStop(Optional<Lsn> lsn, Optional<String> syncFailure) {
    finalLsn = lsn;
    syncFailure.ifPresent(f -> getContext().getLog().warn("final sync-safekeepers failed: {}", f));
    lsn.ifPresent(l -> getContext().getLog().info("final sync-safekeepers lsn={}", l));
    String syncNote = syncFailure.map(f -> "final sync-safekeepers failed: " + f).orElse("");
    if (isTerminating()) {
      if (!syncNote.isEmpty()) error = Optional.of(syncNote);
      become(ComputeState.TERMINATED);
      for (ActorRef<TerminateReply> w : terminateWaiters) w.tell(new Stopped(lsn, false));
      terminateWaiters.clear();
    } else {
      String reason = exitReason.orElse("PostgreSQL exited");
      error = Optional.of(reason + lsn.map(l -> " (final sync-safekeepers LSN " + l + ")").orElse("")
          + (syncNote.isEmpty() ? "" : " (" + syncNote + ")"));
      become(ComputeState.FAILED);
      answerConfigure(new Refused(500, "compute configuration failed: " + error.get()));
    }
    return this;
  }

  private boolean isTerminating() {
    return state == ComputeState.TERMINATION_PENDING_FAST || state == ComputeState.TERMINATION_PENDING_IMMEDIATE;
  }

  private void stopHelpers() {
    stopMonitor();
    stopProposer();
    if (syncer != null) {
      getContext().stop(syncer);
      syncer = null;
      timers.cancel("sync");
    }
  }

  private void stopMonitor() {
    if (monitor != null) getContext().stop(monitor);
    monitor = null;
  }

  private void stopProposer() {
    if (proposer != null) getContext().stop(proposer);
    proposer = null;
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private void become(ComputeState next) {
    state = next;
    history.addLast(new Transition(next, Instant.now()));
    if (history.size() > HISTORY) history.removeFirst();
    metrics.state(next);
    getContext().getLog().info("compute status={}", next.json());
  }

  private void answerConfigure(ConfigureReply r) {
    for (ActorRef<ConfigureReply> w : configureWaiters) w.tell(r);
    configureWaiters.clear();
  }

  private Status status() {
    return new Status(state, startTime, Optional.ofNullable(spec).map(ComputeSpec::tenantId),
        Optional.ofNullable(spec).map(ComputeSpec::timelineId), Optional.ofNullable(spec).map(s -> s.mode().word()),
        lastActive, error.or(() -> exitReason), List.copyOf(history));
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T message) {
    to.tell(message);
    return this;
  }
}
