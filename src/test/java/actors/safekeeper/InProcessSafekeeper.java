package actors.safekeeper;

import actors.net.PgSession;
import actors.net.PgTcp;
import actors.node.Metrics;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.stream.KillSwitches;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Tcp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private Tcp.ServerBinding binding;
  private SharedKillSwitch connections;

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
    connections = KillSwitches.shared("sk-connections-" + n);
    SharedKillSwitch cut = connections;
    ActorRef<Timelines.Command> registry = timelines;
    try {
      binding = PgTcp.bind(kit.system(), settings.listenHost(), settings.pgPort(), DecoderLimits.DEFAULT,
              () -> PgSession.flow(kit.system(), "sk-session", SafekeeperSession.PROTOCOL,
                  out -> SafekeeperSession.create(settings, registry, out)).via(cut.flow()))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind in-process safekeeper on port " + settings.pgPort(), e);
    }
  }

  /** Like a crash: no new connections, every open one cut, the timeline actors stopped. */
  public void stop() {
    if (binding == null) return;
    try {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot unbind port " + settings.pgPort(), e);
    }
    connections.abort(new IllegalStateException("safekeeper stopped"));
    kit.stop(timelines, Duration.ofSeconds(10));
    binding = null;
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
