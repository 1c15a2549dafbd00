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

  public record CreateTenant(String tenantIdOrNull, ActorRef<Result<String>> replyTo) implements Command {}

  /** Exactly one of pgVersion (bootstrap), importPgdata, or ancestorTimelineId (branch) is set. */
  public record CreateTimeline(String tenantId, String timelineId, String name, Integer pgVersion, Path importPgdata,
      String ancestorTimelineId, Long ancestorLsn, ActorRef<Result<TimelineInfo>> replyTo) implements Command {}

  public record Checkpoint(TimelineId id, boolean compact, ActorRef<Result<TimelineInfo>> replyTo) implements Command {}

  private record Made(CreateTimeline request, TimelineFactory.Opened opened, Throwable error) implements Command {}

  /** Restore a tenant that is not here from object storage; the reply is its new generation. */
  public record Attach(String tenantId, ActorRef<Result<Long>> replyTo) implements Command {}

  private record RemoteChecked(String tenantId, ActorRef<Result<String>> replyTo, long highestGeneration, Throwable error)
      implements Command {}

  private record Attached(Attach request, long generation, List<TimelineFactory.Opened> opened, Throwable error) implements Command {}

  private final ActorContext<Command> ctx;
  private final PageserverSettings settings;
  private final PageserverRegistry registry;
  private final TimelineFactory factory;
  private final Executor blocking;
  private final Map<TimelineId, ActorRef<Timeline.Command>> actors = new HashMap<>();
  private final Set<TimelineId> creating = new HashSet<>();
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
    for (String tenant : factory.tenantsOnDisk()) {
      generations.put(tenant, TenantGeneration.readOrInit(settings.tenantDir(tenant)));
      registry.addTenant(tenant);
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
    } else if (remote == null) {
      createTenant(id, m.replyTo());
    } else {
      // A tenant already in the bucket must be attached: a new one under generation 1 would overwrite its objects.
      attaching.add(id);
      ctx.pipeToSelf(remote.ensureBucket().thenCompose(d -> remote.highestGeneration(id)),
          (highest, err) -> new RemoteChecked(id, m.replyTo(), highest == null ? 0 : highest, err));
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
      createTenant(m.tenantId(), m.replyTo());
    }
    return this;
  }

  private void createTenant(String id, ActorRef<Result<String>> replyTo) {
    try {
      factory.createTenant(id);
      TenantGeneration.write(settings.tenantDir(id), 1);
      generations.put(id, 1L);
      registry.addTenant(id);
      ctx.getLog().info("tenant created tenant={}", id);
      replyTo.tell(Result.ok(id));
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

  private Behavior<Command> onCheckpoint(Checkpoint m) {
    ActorRef<Timeline.Command> tl = actors.get(m.id());
    if (tl == null) {
      m.replyTo().tell(Result.failed(PsError.UNKNOWN_TIMELINE.failure("timeline " + m.id() + " does not exist")));
      return this;
    }
    TimelineHandle handle = registry.timeline(m.id().tenantId(), m.id().timelineId());
    akka.actor.typed.javadsl.AskPattern.<Timeline.Command, akka.Done>ask(tl, r -> new Timeline.Checkpoint(m.compact(), r),
            java.time.Duration.ofMinutes(10), ctx.getSystem().scheduler())
        .whenComplete((done, err) -> m.replyTo().tell(err == null ? Result.ok(handle.info())
            : Result.failed(PsError.STORAGE.failure("checkpoint of " + m.id() + " did not finish: " + err.getMessage()))));
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
            TimelineFactory.deleteTree(settings.tenantDir(id));   // not openable: leave no half tenant for the next start
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
    registry.addTenant(id);
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
