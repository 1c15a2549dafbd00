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

  /** Stops the timeline and removes its directory; refused while it has child branches. */
  public record DeleteTimeline(String tenantId, String timelineId, ActorRef<Result<String>> replyTo) implements Command {}

  /** Stops every timeline of the tenant (and their WAL receivers) and removes the tenant's directory. */
  public record DeleteTenant(String tenantId, ActorRef<Result<String>> replyTo) implements Command {}

  private record Made(CreateTimeline request, TimelineFactory.Opened opened, Throwable error) implements Command {}
  private record TimelineStopped(TimelineId id) implements Command {}
  private record Removed(Deletion deletion, Throwable error) implements Command {}

  /** A deletion waiting for its timeline actors to stop before its directory goes. */
  private static final class Deletion {
    final Set<TimelineId> ids;
    final Set<TimelineId> stopping;
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

  private final ActorContext<Command> ctx;
  private final PageserverSettings settings;
  private final PageserverRegistry registry;
  private final TimelineFactory factory;
  private final Executor blocking;
  private final Map<TimelineId, ActorRef<Timeline.Command>> actors = new HashMap<>();
  private final Set<TimelineId> creating = new HashSet<>();
  private final Set<TimelineId> deleting = new HashSet<>();
  private final Set<String> deletingTenants = new HashSet<>();
  private final List<Deletion> deletions = new java.util.ArrayList<>();

  public static Behavior<Command> create(PageserverSettings settings, PageserverRegistry registry, TimelineFactory factory) {
    return Behaviors.setup(ctx -> new TenantManager(ctx, settings, registry, factory));
  }

  private TenantManager(ActorContext<Command> ctx, PageserverSettings settings, PageserverRegistry registry, TimelineFactory factory)
      throws IOException {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.registry = registry;
    this.factory = factory;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
    for (String tenant : factory.tenantsOnDisk()) {
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
        .onMessage(DeleteTimeline.class, this::onDeleteTimeline)
        .onMessage(DeleteTenant.class, this::onDeleteTenant)
        .onMessage(TimelineStopped.class, this::onTimelineStopped)
        .onMessage(Removed.class, this::onRemoved)
        .build();
  }

  private Behavior<Command> onCreateTenant(CreateTenant m) {
    String id = m.tenantIdOrNull() == null ? TimelineFactory.newId() : m.tenantIdOrNull();
    if (!TimelineId.isId(id)) {
      m.replyTo().tell(Result.failed(PsError.BAD_REQUEST.failure("tenant id '" + id + "' is not 32 lower-case hex characters")));
    } else if (registry.hasTenant(id)) {
      m.replyTo().tell(Result.failed(PsError.TENANT_EXISTS.failure("tenant " + id + " already exists")));
    } else if (deletingTenants.contains(id)) {
      m.replyTo().tell(Result.failed(PsError.CREATION_IN_PROGRESS.failure("tenant " + id + " is being deleted; try again")));
    } else {
      try {
        factory.createTenant(id);
        registry.addTenant(id);
        ctx.getLog().info("tenant created tenant={}", id);
        m.replyTo().tell(Result.ok(id));
      } catch (IOException e) {
        m.replyTo().tell(Result.failed(PsError.STORAGE.failure("cannot create tenant " + id + ": " + e.getMessage())));
      }
    }
    return this;
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
    deletingTenants.add(m.tenantId());
    deleting.addAll(ids);
    stopAll(ids);
    deletions.add(new Deletion(Set.copyOf(ids), "tenant " + m.tenantId(), m.tenantId(), m.replyTo(),
        () -> factory.removeTenantDir(m.tenantId())));
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
      if (!d.stopping.isEmpty()) continue;
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

  private void start(TimelineFactory.Opened o) {
    TimelineId id = o.handle().id();
    ActorRef<Timeline.Command> ref = ctx.spawn(o.behavior(), "timeline-" + id.tenantId() + "-" + id.timelineId(),
        DispatcherSelector.fromConfig("strata.blocking-io"));
    actors.put(id, ref);
    registry.add(o.handle());
  }

  List<TimelineId> timelines() {
    return List.copyOf(actors.keySet());
  }
}
