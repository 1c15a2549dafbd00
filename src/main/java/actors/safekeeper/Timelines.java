package actors.safekeeper;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import store.DurableFile;
import store.FileTrees;
import store.wal.AcceptorState;
import store.wal.ControlFileStore;
import wire.xlog.Lsn;

/**
 * The timelines this safekeeper holds: one {@link TimelineAcceptor} each, found on disk at start,
 * created by a proposer's greeting or over HTTP, deleted over HTTP.
 */
public final class Timelines extends AbstractBehavior<Timelines.Command> {
  public sealed interface Command {}

  /** Finds a timeline; with {@code createAs} present, creates it when missing (a proposer's greeting). */
  public record Resolve(TimelineId id, Optional<Creation> createAs, ActorRef<Resolved> replyTo) implements Command {}
  public record Create(TimelineId id, Creation spec, Lsn startLsn, ActorRef<Resolved> replyTo) implements Command {}
  public record Delete(TimelineId id, ActorRef<Deleted> replyTo) implements Command {}
  public record ListAll(ActorRef<Map<TimelineId, ActorRef<TimelineAcceptor.Command>>> replyTo) implements Command {}
  private record AcceptorStopped(TimelineId id) implements Command {}

  /** The server a timeline's WAL comes from. */
  public record Creation(int pgVersion, long systemId, int walSegSize) {}

  public sealed interface Resolved {}
  public record Found(ActorRef<TimelineAcceptor.Command> acceptor, boolean created) implements Resolved {}
  public record NotFound(SkError.Failure failure) implements Resolved {}

  public record Deleted(boolean existed, Optional<SkError.Failure> failure) {}

  private final ActorContext<Command> ctx;
  private final SafekeeperSettings settings;
  private final SafekeeperMetrics metrics;
  private final Map<TimelineId, ActorRef<TimelineAcceptor.Command>> acceptors = new HashMap<>();
  // Timelines whose files cannot be used; refused by name rather than retried forever.
  private final Map<TimelineId, String> broken = new HashMap<>();

  public static Behavior<Command> create(SafekeeperSettings settings, SafekeeperMetrics metrics) {
    return Behaviors.setup(ctx -> new Timelines(ctx, settings, metrics));
  }

  private Timelines(ActorContext<Command> ctx, SafekeeperSettings settings, SafekeeperMetrics metrics) throws IOException {
    super(ctx);
    this.ctx = ctx;
    this.settings = settings;
    this.metrics = metrics;
    Files.createDirectories(settings.dataDir());
    for (TimelineId id : onDisk()) {
      try {
        ControlFileStore.load(settings.timelineDir(id.tenantId(), id.timelineId()));
        spawn(id);
      } catch (DurableFile.CorruptFile e) {
        ctx.getLog().error("timeline refused tenant={} timeline={} reason=\"{}\"", id.tenantId(), id.timelineId(), e.getMessage());
        broken.put(id, e.getMessage());
      }
    }
    ctx.getLog().info("safekeeper timelines loaded count={} data_dir={}", acceptors.size(), settings.dataDir());
  }

  private List<TimelineId> onDisk() throws IOException {
    List<TimelineId> found = new java.util.ArrayList<>();
    try (var tenants = Files.list(settings.dataDir())) {
      for (Path t : (Iterable<Path>) tenants::iterator) {
        if (!Files.isDirectory(t) || !TimelineId.isId(t.getFileName().toString())) continue;
        try (var timelines = Files.list(t)) {
          for (Path tl : (Iterable<Path>) timelines::iterator) {
            if (TimelineId.isId(tl.getFileName().toString()) && ControlFileStore.exists(tl)) {
              found.add(new TimelineId(t.getFileName().toString(), tl.getFileName().toString()));
            }
          }
        }
      }
    }
    return found;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Resolve.class, this::onResolve)
        .onMessage(Create.class, this::onCreate)
        .onMessage(Delete.class, this::onDelete)
        .onMessage(ListAll.class, m -> { m.replyTo().tell(new TreeMap<>(acceptors)); return this; })
        .onMessage(AcceptorStopped.class, m -> { acceptors.remove(m.id()); return this; })
        .build();
  }

  private Behavior<Command> onResolve(Resolve m) {
    ActorRef<TimelineAcceptor.Command> a = acceptors.get(m.id());
    if (a != null) {
      m.replyTo().tell(new Found(a, false));
    } else if (broken.containsKey(m.id())) {
      m.replyTo().tell(new NotFound(SkError.STORAGE.failure("timeline " + m.id() + " cannot be loaded: " + broken.get(m.id()))));
    } else if (m.createAs().isEmpty()) {
      m.replyTo().tell(new NotFound(SkError.UNKNOWN_TIMELINE.failure("timeline " + m.id() + " does not exist on safekeeper "
          + Long.toUnsignedString(settings.nodeId()))));
    } else {
      Creation c = m.createAs().get();
      m.replyTo().tell(make(m.id(), AcceptorState.implicit(m.id().tenantId(), m.id().timelineId(), c.pgVersion(),
          c.systemId(), c.walSegSize(), System.currentTimeMillis())));
    }
    return this;
  }

  private Behavior<Command> onCreate(Create m) {
    if (broken.containsKey(m.id())) {
      m.replyTo().tell(new NotFound(SkError.STORAGE.failure("timeline " + m.id() + " cannot be loaded: " + broken.get(m.id()))));
      return this;
    }
    ActorRef<TimelineAcceptor.Command> a = acceptors.get(m.id());
    if (a != null) {
      m.replyTo().tell(new Found(a, false));   // creating an existing timeline is not an error (idempotent)
      return this;
    }
    Creation c = m.spec();
    m.replyTo().tell(make(m.id(), AcceptorState.created(m.id().tenantId(), m.id().timelineId(), c.pgVersion(),
        c.systemId(), c.walSegSize(), m.startLsn(), System.currentTimeMillis())));
    return this;
  }

  private Resolved make(TimelineId id, AcceptorState initial) {
    Path dir = settings.timelineDir(id.tenantId(), id.timelineId());
    try {
      Files.createDirectories(dir);
      ControlFileStore.persist(dir, initial);
      DurableFile.fsyncDirectory(dir.getParent());
      DurableFile.fsyncDirectory(settings.dataDir());
    } catch (IOException e) {
      ctx.getLog().error("cannot create timeline {} in {}", id, dir, e);
      return new NotFound(SkError.STORAGE.failure("cannot create timeline " + id + ": " + e.getMessage()));
    }
    ctx.getLog().info("timeline created tenant={} timeline={} start_lsn={}", id.tenantId(), id.timelineId(), initial.timelineStartLsn());
    return new Found(spawn(id), true);
  }

  private ActorRef<TimelineAcceptor.Command> spawn(TimelineId id) {
    ActorRef<TimelineAcceptor.Command> a = ctx.spawn(
        TimelineAcceptor.create(settings.nodeId(), settings.timelineDir(id.tenantId(), id.timelineId()), metrics),
        "timeline-" + id.tenantId() + "-" + id.timelineId(), DispatcherSelector.fromConfig("strata.acceptor-io"));
    ctx.watchWith(a, new AcceptorStopped(id));
    acceptors.put(id, a);
    return a;
  }

  private Behavior<Command> onDelete(Delete m) {
    ActorRef<TimelineAcceptor.Command> a = acceptors.remove(m.id());
    if (a != null) ctx.stop(a);
    broken.remove(m.id());
    Path dir = settings.timelineDir(m.id().tenantId(), m.id().timelineId());
    boolean existed = Files.isDirectory(dir);
    try {
      if (existed) deleteTree(dir);
      m.replyTo().tell(new Deleted(existed, Optional.empty()));
    } catch (IOException e) {
      m.replyTo().tell(new Deleted(existed, Optional.of(SkError.STORAGE.failure("cannot delete " + dir + ": " + e.getMessage()))));
    }
    return this;
  }

  private static void deleteTree(Path dir) throws IOException {
    // The control file goes first: a crash midway leaves no half-timeline that would be loaded again.
    Files.deleteIfExists(dir.resolve(ControlFileStore.FILE_NAME));
    FileTrees.delete(dir);
    DurableFile.fsyncDirectory(dir.getParent());
  }
}
