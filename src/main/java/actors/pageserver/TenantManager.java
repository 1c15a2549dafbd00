package actors.pageserver;

import actors.safekeeper.TimelineId;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import store.FileTrees;

/**
 * Owns the set of tenants and timelines of a pageserver: loads them at start, creates new ones
 * (bootstrap, import, branch) off the actor thread, and starts one {@link Timeline} actor per
 * timeline. Publishes every change to the {@link PageserverRegistry}.
 */
public final class TenantManager extends AbstractBehavior<TenantManager.Command> {
  public sealed interface Command {}

  /** A failure, or a value. */
  public record Result<T>(T value, PsError.Failure failure) {
    static <T> Result<T> ok(T v) {
      return new Result<>(v, null);
    }

    static <T> Result<T> failed(PsError.Failure f) {
      return new Result<>(null, f);
    }
  }

  /** {@code config}: tenant config overrides (JSON object) or null. */
  public record CreateTenant(String tenantIdOrNull, com.fasterxml.jackson.databind.JsonNode config, ActorRef<Result<String>> replyTo)
      implements Command {}

  /** Replaces the tenant's config overrides. */
  public record SetConfig(String tenantId, com.fasterxml.jackson.databind.JsonNode overrides, ActorRef<Result<TenantConfig>> replyTo)
      implements Command {}

  /** Compaction of one timeline now (a full pass), by the tenant's {@link Compactor}. */
  public record Compact(TimelineId id, ActorRef<Result<String>> replyTo) implements Command {}

  /** GC of one timeline now, by the tenant's {@link GcWorker}. */
  public record DoGc(TimelineId id, Long gcHorizon, ActorRef<Result<GcWorker.Report>> replyTo) implements Command {}

  /** Exactly one of pgVersion (bootstrap), importPgdata, or ancestorTimelineId (branch) is set. */
  public record CreateTimeline(String tenantId, String timelineId, String name, Integer pgVersion, Path importPgdata,
      String ancestorTimelineId, Long ancestorLsn, ActorRef<Result<TimelineInfo>> replyTo) implements Command {}

  public record Checkpoint(TimelineId id, boolean compact, ActorRef<Result<TimelineInfo>> replyTo) implements Command {}

  /** Stops the timeline and removes its directory; refused while it has child branches. */
  public record DeleteTimeline(String tenantId, String timelineId, ActorRef<Result<String>> replyTo) implements Command {}

  /** Stops every timeline of the tenant (and their WAL receivers) and removes the tenant's directory. */
  public record DeleteTenant(String tenantId, ActorRef<Result<String>> replyTo) implements Command {}

  private record Made(CreateTimeline request, TimelineFactory.Opened opened, Throwable error) implements Command {}
  private record TimelineStopped(TimelineId id) implements Command {}
  private record WorkerStopped(ActorRef<?> worker) implements Command {}
  private record Removed(Deletion deletion, Throwable error) implements Command {}

  /** A deletion waiting for its timeline actors to stop before its directory goes. */
  private static final class Deletion {
    final Set<TimelineId> ids;
    final Set<TimelineId> stopping;
    final Set<ActorRef<?>> stoppingWorkers = new HashSet<>();   // the tenant's compactor and GC worker, for a whole tenant
    final String what;
    final String tenantIdIfWhole;   // set when the whole tenant goes
    final ActorRef<Result<String>> replyTo;
    final IoWork removal;

    Deletion(Set<TimelineId> ids, String what, String tenantIdIfWhole, ActorRef<Result<String>> replyTo, IoWork removal) {
      this.ids = Set.copyOf(ids);
      this.stopping = new HashSet<>(ids);
      this.what = what;
      this.tenantIdIfWhole = tenantIdIfWhole;
      this.replyTo = replyTo;
      this.removal = removal;
    }
  }

  private interface IoWork {
    void run() throws IOException;
  }

  /** Restore a tenant that is not here from object storage; the reply is its new generation. */
  public record Attach(String tenantId, ActorRef<Result<Long>> replyTo) implements Command {}

  private record RemoteChecked(String tenantId, com.fasterxml.jackson.databind.JsonNode config, ActorRef<Result<String>> replyTo, long highestGeneration, Throwable error)
      implements Command {}

  private record Attached(Attach request, long generation, List<TimelineFactory.Opened> opened, Throwable error) implements Command {}

  private final ActorContext<Command> ctx;
  private final PageserverSettings settings;
  private final PageserverRegistry registry;
  private final TimelineFactory factory;
  private final Executor blocking;
  private final Map<TimelineId, ActorRef<Timeline.Command>> actors = new HashMap<>();
  private final Set<TimelineId> creating = new HashSet<>();
  private final Map<String, ActorRef<Compactor.Command>> compactors = new HashMap<>();
  private final Map<String, ActorRef<GcWorker.Command>> gcWorkers = new HashMap<>();
  private final Set<TimelineId> deleting = new HashSet<>();
  private long workersStarted;
  private final Set<String> deletingTenants = new HashSet<>();
  private final List<Deletion> deletions = new java.util.ArrayList<>();
  private final RemoteStorage remote;   // null: backup is off
  private final Map<String, Long> generations = new HashMap<>();
  private final Set<String> attaching = new HashSet<>();

  /** {@code remoteOrNull}: object storage for backups, or null when none is configured. */
  public static Behavior<Command> create(PageserverSettings settings, PageserverRegistry registry, TimelineFactory factory,
      RemoteStorage remoteOrNull) {
    return Behaviors.setup(ctx -> new TenantManager(ctx, settings, registry, factory, remoteOrNull));
  }

  private TenantManager(ActorContext<Command> ctx, PageserverSettings settings, PageserverRegistry registry, TimelineFactory factory,
      RemoteStorage remote) throws IOException {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.registry = registry;
    this.factory = factory;
    this.remote = remote;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
    TenantConfig defaults = TenantConfig.defaults(settings);
    registry.setDefaults(defaults);
    for (String tenant : factory.tenantsOnDisk()) {
      registry.setConfig(tenant, defaults.with(factory.tenantConfig(tenant)));
      generations.put(tenant, TenantGeneration.readOrInit(settings.tenantDir(tenant)));
      registry.addTenant(tenant);
      startWorkers(tenant);
      for (TimelineFactory.Opened o : factory.openAll(tenant, registry)) start(o);
    }
    ctx.getLog().info("pageserver loaded tenants={} timelines={}", registry.tenants().size(), actors.size());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(CreateTenant.class, this::onCreateTenant)
        .onMessage(CreateTimeline.class, this::onCreateTimeline)
        .onMessage(Made.class, this::onMade)
        .onMessage(Checkpoint.class, this::onCheckpoint)
        .onMessage(SetConfig.class, this::onSetConfig)
        .onMessage(Compact.class, this::onCompact)
        .onMessage(DoGc.class, this::onDoGc)
        .onMessage(DeleteTimeline.class, this::onDeleteTimeline)
        .onMessage(DeleteTenant.class, this::onDeleteTenant)
        .onMessage(TimelineStopped.class, this::onTimelineStopped)
        .onMessage(WorkerStopped.class, m -> {
          for (Deletion d : deletions) d.stoppingWorkers.remove(m.worker());
          checkDeletions();
          return this;
        })
        .onMessage(Removed.class, this::onRemoved)
        .onMessage(RemoteChecked.class, this::onRemoteChecked)
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Attached.class, this::onAttached)
        .build();
  }

  private Behavior<Command> onCreateTenant(CreateTenant m) {
    String id = m.tenantIdOrNull() == null ? TimelineFactory.newId() : m.tenantIdOrNull();
    if (!TimelineId.isId(id)) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure("tenant id '" + id + "' is not 32 lower-case hex characters")));
    } else if (registry.hasTenant(id) || attaching.contains(id)) {
      m.replyTo().tell(Result.failed(PsError.TENANT_EXISTS.failure("tenant " + id + " already exists")));
    } else if (deletingTenants.contains(id)) {
      m.replyTo().tell(Result.failed(PsError.CREATION_IN_PROGRESS.failure("tenant " + id + " is being deleted; try again")));
    } else if (remote == null) {
      createTenant(id, m.config(), m.replyTo());
    } else {
      // A tenant already in the bucket must be attached: a new one under generation 1 would overwrite its objects.
      attaching.add(id);
      ctx.pipeToSelf(remote.ensureBucket().thenCompose(d -> remote.highestGeneration(id)),
          (highest, err) -> new RemoteChecked(id, m.config(), m.replyTo(), highest == null ? 0 : highest, err));
    }
    return this;
  }

  private Behavior<Command> onRemoteChecked(RemoteChecked m) {
    attaching.remove(m.tenantId());
    if (m.error() != null) {
      m.replyTo().tell(Result.failed(PsError.STORAGE.failure("cannot create tenant " + m.tenantId() + ": object storage: "
          + PsError.of(m.error()).getMessage())));
    } else if (m.highestGeneration() > 0) {
      m.replyTo().tell(Result.failed(PsError.TENANT_EXISTS.failure("tenant " + m.tenantId() + " already exists in object storage (bucket "
          + remote.bucket() + ", generation " + m.highestGeneration() + "): attach it instead")));
    } else {
      createTenant(m.tenantId(), m.config(), m.replyTo());
    }
    return this;
  }

  private void createTenant(String id, com.fasterxml.jackson.databind.JsonNode config, ActorRef<Result<String>> replyTo) {
    try {
      var overrides = config == null || config.isNull() ? TenantConfigFile.empty() : config;
      TenantConfig effective = TenantConfig.defaults(settings).with(overrides);
      factory.createTenant(id, overrides);
      TenantGeneration.write(settings.tenantDir(id), 1);
      generations.put(id, 1L);
      registry.setConfig(id, effective);
      registry.addTenant(id);
      startWorkers(id);
      ctx.getLog().info("tenant created tenant={}", id);
      replyTo.tell(Result.ok(id));
    } catch (TenantConfig.BadConfig e) {
      replyTo.tell(Result.failed(PsError.BAD_REQUEST.failure(e.getMessage())));
    } catch (IOException e) {
      replyTo.tell(Result.failed(PsError.STORAGE.failure("cannot create tenant " + id + ": " + e.getMessage())));
    }
  }


  private Behavior<Command> onCreateTimeline(CreateTimeline m) {
    if (!registry.hasTenant(m.tenantId())) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TENANT.failure("tenant " + m.tenantId() + " does not exist")));
      return this;
    }
    String tlId = m.timelineId() == null ? TimelineFactory.newId() : m.timelineId();
    if (!TimelineId.isId(tlId)) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure("timeline id '" + tlId + "' is not 32 lower-case hex characters")));
      return this;
    }
    TimelineId id = new TimelineId(m.tenantId(), tlId);
    if (creating.contains(id)) {
      m.replyTo().tell(Result.failed(PsError.CREATION_IN_PROGRESS.failure("timeline " + id + " is being created")));
      return this;
    }
    if (actors.containsKey(id)) {
      m.replyTo().tell(Result.failed(PsError.TIMELINE_EXISTS.failure("timeline " + tlId + " already exists in tenant " + m.tenantId())));
      return this;
    }
    if (m.name() != null && registry.timelines(m.tenantId()).stream().anyMatch(h -> m.name().equals(h.info().name()))) {
      m.replyTo().tell(Result.failed(PsError.TIMELINE_EXISTS.failure("a timeline named '" + m.name() + "' already exists in tenant "
          + m.tenantId())));
      return this;
    }
    CreateTimeline req = new CreateTimeline(m.tenantId(), tlId, m.name(), m.pgVersion(), m.importPgdata(), m.ancestorTimelineId(),
        m.ancestorLsn(), m.replyTo());
    creating.add(id);
    ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return factory.create(id, req, registry);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, blocking), (opened, err) -> new Made(req, opened, err));
    return this;
  }

  private Behavior<Command> onMade(Made m) {
    TimelineId id = new TimelineId(m.request().tenantId(), m.request().timelineId());
    creating.remove(id);
    if (m.error() != null) {
      PsError.Failure f = PsError.of(m.error() instanceof java.io.UncheckedIOException u ? u.getCause() : m.error());
      ctx.getLog().warn("timeline creation failed timeline={} reason=\"{}\"", id, f.getMessage());
      m.request().replyTo().tell(Result.failed(f));
      return this;
    }
    start(m.opened());
    ctx.getLog().info("timeline created timeline={} last_record_lsn={}", id, wire.xlog.Lsn.of(m.opened().handle().lastRecordLsn()));
    m.request().replyTo().tell(Result.ok(m.opened().handle().info()));
    return this;
  }

  private void startWorkers(String tenant) {
    DispatcherSelector io = DispatcherSelector.fromConfig("strata.blocking-io");
    // Numbered: a tenant deleted and created again may meet its old workers still stopping.
    long n = ++workersStarted;
    compactors.put(tenant, ctx.spawn(Compactor.create(tenant, registry, settings.compactionTargetSize()), "compactor-" + tenant + "-" + n, io));
    gcWorkers.put(tenant, ctx.spawn(GcWorker.create(tenant, registry), "gc-" + tenant + "-" + n, io));
  }

  private Behavior<Command> onSetConfig(SetConfig m) {
    if (!registry.hasTenant(m.tenantId())) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TENANT.failure("tenant " + m.tenantId() + " does not exist")));
      return this;
    }
    try {
      TenantConfig config = TenantConfig.defaults(settings).with(m.overrides());
      factory.saveTenantConfig(m.tenantId(), m.overrides());
      registry.setConfig(m.tenantId(), config);
      compactors.get(m.tenantId()).tell(new Compactor.Reconfigure());
      gcWorkers.get(m.tenantId()).tell(new GcWorker.Reconfigure());
      ctx.getLog().info("tenant config set tenant={} config={}", m.tenantId(), config.toJson());
      m.replyTo().tell(Result.ok(config));
    } catch (TenantConfig.BadConfig e) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure(e.getMessage())));
    } catch (IOException e) {
      m.replyTo().tell(Result.failed(PsError.STORAGE.failure("cannot save the config of tenant " + m.tenantId() + ": " + e.getMessage())));
    }
    return this;
  }

  private Behavior<Command> onCompact(Compact m) {
    ActorRef<Compactor.Command> c = compactors.get(m.id().tenantId());
    if (c == null || !actors.containsKey(m.id())) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TIMELINE.failure("timeline " + m.id() + " does not exist")));
    } else {
      c.tell(new Compactor.Compact(m.id().timelineId(), true, m.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onDoGc(DoGc m) {
    ActorRef<GcWorker.Command> g = gcWorkers.get(m.id().tenantId());
    if (g == null || !actors.containsKey(m.id())) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TIMELINE.failure("timeline " + m.id() + " does not exist")));
    } else {
      g.tell(new GcWorker.DoGc(m.id().timelineId(), m.gcHorizon(), m.replyTo()));
    }
    return this;
  }

  /** The tenant's stored config overrides. */
  com.fasterxml.jackson.databind.node.ObjectNode configOverrides(String tenant) throws IOException {
    return factory.tenantConfig(tenant);
  }

  private Behavior<Command> onCheckpoint(Checkpoint m) {
    ActorRef<Timeline.Command> tl = actors.get(m.id());
    if (tl == null) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TIMELINE.failure("timeline " + m.id() + " does not exist")));
      return this;
    }
    TimelineHandle handle = registry.timeline(m.id().tenantId(), m.id().timelineId());
    var scheduler = ctx.getSystem().scheduler();
    ActorRef<Compactor.Command> compactor = compactors.get(m.id().tenantId());
    java.time.Duration timeout = java.time.Duration.ofMinutes(10);
    akka.actor.typed.javadsl.AskPattern.<Timeline.Command, akka.Done>ask(tl, r -> new Timeline.Checkpoint(false, r), timeout, scheduler)
        .thenCompose(done -> !m.compact() ? CompletableFuture.completedFuture(Result.ok(m.id().timelineId()))
            : akka.actor.typed.javadsl.AskPattern.<Compactor.Command, Result<String>>ask(compactor,
                r -> new Compactor.Compact(m.id().timelineId(), true, r), timeout, scheduler))
        .whenComplete((r, err) -> m.replyTo().tell(err != null
            ? Result.failed(PsError.STORAGE.failure("checkpoint of " + m.id() + " did not finish: " + err.getMessage()))
            : r.failure() != null ? Result.failed(r.failure()) : Result.ok(handle.info())));
    return this;
  }

  private Behavior<Command> onDeleteTimeline(DeleteTimeline m) {
    TimelineHandle h;
    try {
      h = registry.timeline(m.tenantId(), m.timelineId());
    } catch (PsError.Failure f) {
      m.replyTo().tell(Result.failed(f));
      return this;
    }
    TimelineId id = h.id();
    PsError.Failure busy = busy(m.tenantId());
    if (busy != null || deleting.contains(id)) {
      m.replyTo().tell(Result.failed(busy != null ? busy : PsError.CREATION_IN_PROGRESS.failure("timeline " + id + " is being deleted")));
      return this;
    }
    List<String> children = registry.timelines(m.tenantId()).stream()
        .filter(c -> m.timelineId().equals(c.info().ancestorTimelineId()))
        .map(c -> c.id().timelineId() + (c.info().name() != null ? " (" + c.info().name() + ")" : "")).toList();
    if (!children.isEmpty()) {
      m.replyTo().tell(Result.failed(PsError.HAS_CHILDREN.failure("timeline " + m.timelineId() + " of tenant " + m.tenantId()
          + " has child branches " + String.join(", ", children) + ": delete them first")));
      return this;
    }
    deleting.add(id);
    stopAll(List.of(id));
    deletions.add(new Deletion(Set.of(id), "timeline " + id, null, m.replyTo(), () -> factory.removeTimelineDir(id)));
    ctx.getLog().info("timeline deleting timeline={}", id);
    return this;
  }

  private Behavior<Command> onDeleteTenant(DeleteTenant m) {
    if (!registry.hasTenant(m.tenantId())) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TENANT.failure("tenant " + m.tenantId() + " does not exist")));
      return this;
    }
    PsError.Failure busy = busy(m.tenantId());
    if (busy != null) {
      m.replyTo().tell(Result.failed(busy));
      return this;
    }
    List<TimelineId> ids = actors.keySet().stream().filter(id -> id.tenantId().equals(m.tenantId())).toList();
    registry.removeTenant(m.tenantId());
    generations.remove(m.tenantId());
    deletingTenants.add(m.tenantId());
    deleting.addAll(ids);
    stopAll(ids);
    Deletion deletion = new Deletion(Set.copyOf(ids), "tenant " + m.tenantId(), m.tenantId(), m.replyTo(),
        () -> factory.removeTenantDir(m.tenantId()));
    // A compaction or GC pass in progress finishes before the directory goes.
    for (ActorRef<?> worker : java.util.Arrays.asList(compactors.remove(m.tenantId()), gcWorkers.remove(m.tenantId()))) {
      if (worker == null) continue;
      deletion.stoppingWorkers.add(worker);
      ctx.watchWith(worker, new WorkerStopped(worker));
      ctx.stop(worker);
    }
    deletions.add(deletion);
    ctx.getLog().info("tenant deleting tenant={} timelines={}", m.tenantId(), ids.size());
    checkDeletions();   // a tenant without timelines has nothing to wait for
    return this;
  }

  /** A creation or deletion under way in the tenant: deleting now could race with it. */
  private PsError.Failure busy(String tenantId) {
    if (deletingTenants.contains(tenantId)) return PsError.CREATION_IN_PROGRESS.failure("tenant " + tenantId + " is being deleted");
    if (creating.stream().anyMatch(id -> id.tenantId().equals(tenantId))) {
      return PsError.CREATION_IN_PROGRESS.failure("a timeline of tenant " + tenantId + " is being created; try again");
    }
    return null;
  }

  /** Readers stop finding the timelines at once; their actors (and WAL receivers) stop, and each reports it. */
  private void stopAll(List<TimelineId> ids) {
    for (TimelineId id : ids) {
      registry.remove(id);
      factory.forget(id);
      ActorRef<Timeline.Command> ref = actors.remove(id);
      ctx.watchWith(ref, new TimelineStopped(id));
      ctx.stop(ref);
    }
  }

  private Behavior<Command> onTimelineStopped(TimelineStopped m) {
    for (Deletion d : deletions) d.stopping.remove(m.id());
    checkDeletions();
    return this;
  }

  /** Deletions whose actors have all stopped remove their directories, off the actor thread. */
  private void checkDeletions() {
    for (Deletion d : List.copyOf(deletions)) {
      if (!d.stopping.isEmpty() || !d.stoppingWorkers.isEmpty()) continue;
      deletions.remove(d);
      ctx.pipeToSelf(CompletableFuture.runAsync(() -> {
        try {
          d.removal.run();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, blocking), (v, err) -> new Removed(d, err));
    }
  }

  private Behavior<Command> onRemoved(Removed m) {
    Deletion d = m.deletion();
    if (d.tenantIdIfWhole != null) deletingTenants.remove(d.tenantIdIfWhole);
    deleting.removeAll(d.ids);
    if (m.error() != null) {
      ctx.getLog().warn("deletion failed what=\"{}\" reason=\"{}\"", d.what, m.error().toString());
      d.replyTo.tell(Result.failed(PsError.STORAGE.failure("cannot remove the directory of " + d.what + ": " + m.error().getMessage())));
    } else {
      ctx.getLog().info("deleted what=\"{}\"", d.what);
      d.replyTo.tell(Result.ok(d.what + " deleted"));
    }
    return this;
  }

  private Behavior<Command> onAttach(Attach m) {
    String id = m.tenantId();
    if (!TimelineId.isId(id)) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure("tenant id '" + id + "' is not 32 lower-case hex characters")));
    } else if (remote == null) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure("cannot attach tenant " + id
          + ": no object storage is configured (strata.s3.endpoint is empty)")));
    } else if (registry.hasTenant(id)) {
      m.replyTo().tell(Result.failed(PsError.TENANT_EXISTS.failure("tenant " + id + " is already attached to this pageserver")));
    } else if (attaching.contains(id)) {
      m.replyTo().tell(Result.failed(PsError.CREATION_IN_PROGRESS.failure("tenant " + id + " is being attached")));
    } else {
      attaching.add(id);
      ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
        try {
          long generation = TenantAttach.run(remote, settings.tenantsDir(), id, org.slf4j.LoggerFactory.getLogger(TenantAttach.class));
          try {
            return new Attached(m, generation, factory.openAll(id, registry), null);
          } catch (IOException | RuntimeException e) {
            FileTrees.delete(settings.tenantDir(id));   // not openable: leave no half tenant for the next start
            throw e;
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, blocking), (done, err) -> err != null ? new Attached(m, 0, List.of(), err) : done);
    }
    return this;
  }

  private Behavior<Command> onAttached(Attached m) {
    String id = m.request().tenantId();
    attaching.remove(id);
    if (m.error() != null) {
      PsError.Failure f = PsError.of(m.error() instanceof java.io.UncheckedIOException u ? u.getCause() : m.error());
      ctx.getLog().warn("attach failed tenant={} reason=\"{}\"", id, f.getMessage());
      m.request().replyTo().tell(Result.failed(f));
      return this;
    }
    generations.put(id, m.generation());
    registry.setConfig(id, TenantConfig.defaults(settings));   // the config is not in object storage: defaults
    registry.addTenant(id);
    startWorkers(id);
    for (TimelineFactory.Opened o : m.opened()) start(o);
    ctx.getLog().info("tenant attached tenant={} generation={} timelines={}", id, m.generation(), m.opened().size());
    m.request().replyTo().tell(Result.ok(m.generation()));
    return this;
  }

  private void start(TimelineFactory.Opened o) {
    TimelineId id = o.handle().id();
    ActorRef<Timeline.Command> ref = ctx.spawn(o.behavior(), "timeline-" + id.tenantId() + "-" + id.timelineId(),
        DispatcherSelector.fromConfig("strata.blocking-io"));
    actors.put(id, ref);
    registry.add(o.handle());
    if (remote != null) {
      ctx.spawn(RemoteUploader.create(generations.get(id.tenantId()), o.handle(), o.layers(), remote, ref),
          "uploader-" + id.tenantId() + "-" + id.timelineId(), DispatcherSelector.fromConfig("strata.blocking-io"));
    }
  }

  List<TimelineId> timelines() {
    return List.copyOf(actors.keySet());
  }
}
