package actors.safekeeper;

import actors.net.BlockingPgListener;
import actors.net.PgSession;
import actors.node.Metrics;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import testkit.Ports;
import wire.pg.DecoderLimits;

/**
 * A safekeeper's PostgreSQL listener and timeline registry inside a test's actor system, on a
 * fixed loopback port so that it can be stopped (all connections cut, actors stopped) and started
 * again from its data directory, like a process crash and restart.
 */
public final class InProcessSafekeeper implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ActorTestKit kit;
  private final SafekeeperSettings settings;
  private ActorRef<Timelines.Command> timelines;
  private BlockingPgListener listener;

  private InProcessSafekeeper(ActorTestKit kit, SafekeeperSettings settings) {
    this.kit = kit;
    this.settings = settings;
  }

  public static InProcessSafekeeper start(ActorTestKit kit, Path dataDir, long nodeId) {
    InProcessSafekeeper sk = new InProcessSafekeeper(kit, new SafekeeperSettings(nodeId, dataDir, "127.0.0.1", Ports.free(), 0));
    sk.start();
    return sk;
  }

  public void start() {
    int n = INSTANCES.incrementAndGet();
    timelines = kit.spawn(Timelines.create(settings, new SafekeeperMetrics(Metrics.registry(kit.system()))), "sk-timelines-" + n);
    ActorRef<Timelines.Command> registry = timelines;
    try {
      listener = BlockingPgListener.bind("sk-wal-" + n, settings.listenHost(), settings.pgPort(), DecoderLimits.DEFAULT,
          PgSession.handler(kit.system(), "sk-session", SafekeeperSession.PROTOCOL,
              (out, route) -> SafekeeperSession.create(settings, registry, out, route)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind in-process safekeeper on port " + settings.pgPort(), e);
    }
  }

  /** Like a crash: no new connections, every open one cut, the timeline actors stopped. */
  public void stop() {
    if (listener == null) return;
    listener.close();
    listener.closeConnections();
    kit.stop(timelines, Duration.ofSeconds(10));
    listener = null;
  }

  public int port() {
    return settings.pgPort();
  }

  public String address() {
    return "127.0.0.1:" + settings.pgPort();
  }

  /** The timeline's status, or null when this safekeeper does not have it. */
  public TimelineStatus status(String tenantId, String timelineId) {
    var probe = kit.<Map<TimelineId, ActorRef<TimelineAcceptor.Command>>>createTestProbe();
    timelines.tell(new Timelines.ListAll(probe.ref()));
    ActorRef<TimelineAcceptor.Command> acceptor = probe.receiveMessage(Duration.ofSeconds(10)).get(new TimelineId(tenantId, timelineId));
    if (acceptor == null) return null;
    var status = kit.<TimelineStatus>createTestProbe();
    acceptor.tell(new TimelineAcceptor.GetStatus(status.ref()));
    return status.receiveMessage(Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    stop();
  }
}
