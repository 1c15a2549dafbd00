package actors.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import testkit.ActorTestKitExtension;

class NodeGuardianTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();

  @Test
  void everyRoleStartsOneSubsystemThatReportsReady() {
    NodeSettings settings = NodeSettings.from(ConfigFactory.parseString(
        "akka.cluster.roles = [controller]").withFallback(ConfigFactory.load()));
    NodeStatus status = NodeStatus.get(testKit.kit().system());
    testKit.kit().spawn(NodeGuardian.create(settings, new app.http.HttpRoutes()), "guardian");
    testKit.kit().createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Set.of(), status.notReady());
      return null;
    });
    assertEquals(EnumSet.of(Role.CONTROLLER), status.subsystems().keySet());
    status.subsystems().values().forEach(s -> assertTrue(s.detail().contains("not available"), s.detail()));
  }

  @Test
  void settingsRejectUnknownRolesAndBadPortsNamingTheKey() {
    var unknown = assertThrows(IllegalArgumentException.class, () -> NodeSettings.from(
        ConfigFactory.parseString("akka.cluster.roles = [bogus]").withFallback(ConfigFactory.load())));
    assertTrue(unknown.getMessage().contains("'bogus'") && unknown.getMessage().contains(Role.validNames()), unknown.getMessage());

    var port = assertThrows(IllegalArgumentException.class, () -> NodeSettings.from(ConfigFactory.parseMap(Map.of(
        "akka.cluster.roles", java.util.List.of("pageserver"), "strata.pageserver.pg-port", 70000)).withFallback(ConfigFactory.load())));
    assertTrue(port.getMessage().contains("strata.pageserver.pg-port"), port.getMessage());
  }
}
