package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.node.NodeGuardian;
import actors.node.NodeSettings;
import actors.node.NodeStatus;
import actors.node.Role;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;

/** A node with the compute role starts the compute subsystem, which binds its HTTP port and reports ready. */
class ComputeServiceTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();

  @TempDir Path dataDir;

  @Test
  void theComputeRoleServesItsApi() {
    NodeSettings settings = NodeSettings.from(ConfigFactory.parseMap(Map.of(
        "akka.cluster.roles", java.util.List.of("compute"), "strata.compute.http-port", 0,
        "strata.data-dir", dataDir.toString())).withFallback(ConfigFactory.load()));
    NodeStatus status = NodeStatus.get(testKit.kit().system());
    testKit.kit().spawn(NodeGuardian.create(settings, new app.http.HttpRoutes()), "guardian");
    testKit.kit().createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(Set.of(), status.notReady());
      return null;
    });
    String detail = status.subsystems().get(Role.COMPUTE).detail();
    assertTrue(detail.startsWith("serving: endpoint=main"), detail);
  }
}
