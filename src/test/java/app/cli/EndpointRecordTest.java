package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.compute.ComputeMode;
import actors.compute.ComputeSpec;
import actors.compute.ComputeSpecJson;
import app.Failure;
import app.config.NodeConfig;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import testkit.TempDirs;
import wire.xlog.Lsn;

/** What strata endpoint create records and strata endpoint start writes for the compute node. */
class EndpointRecordTest {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final String TIMELINE = "fedcba9876543210fedcba9876543210";
  private Path home;

  @BeforeEach
  void makeHome() throws Exception {
    home = Files.createTempDirectory("strata-endpoint-");
  }

  @AfterEach
  void removeHome() {
    TempDirs.delete(home);
  }

  private static EndpointRecord endpoint(String name, Optional<Lsn> lsn, EndpointPorts ports) {
    return new EndpointRecord(name, TENANT, TIMELINE, lsn, ports, EndpointRecord.specDocument(TENANT, TIMELINE, lsn,
        List.of("127.0.0.1:5454", "127.0.0.1:5455"), "127.0.0.1:6400", "http://127.0.0.1:9898"));
  }

  @Test
  void withoutAnLsnTheSpecIsAPrimaryTheComputeAccepts() {
    ComputeSpec spec = ComputeSpecJson.parse(endpoint("main", Optional.empty(), EndpointPorts.slot(0, 0)).spec());
    assertEquals(new ComputeMode.Primary(), spec.mode());
    assertEquals(TIMELINE, spec.timelineId());
    assertEquals(2, spec.safekeepers().size());
    assertEquals(6400, spec.pageserver().port());
  }

  @Test
  void anLsnMakesAStaticSpec() {
    Lsn at = Lsn.parse("0/16B3748");
    EndpointRecord e = endpoint("ro", Optional.of(at), EndpointPorts.slot(0, 1));
    assertEquals(new ComputeMode.Static(at), ComputeSpecJson.parse(e.spec()).mode());
    assertEquals("static@0/16B3748", e.mode());
  }

  @Test
  void aRecordReadsBackAsWritten() {
    EndpointRecord e = endpoint("ro", Optional.of(Lsn.parse("1/2")), EndpointPorts.slot(0, 3));
    e.create(home);
    assertEquals(e, EndpointRecord.read(home, "ro"));
    assertEquals(List.of(e), EndpointRecord.all(home));
    assertEquals("postgresql://cloud_admin@127.0.0.1:55435/postgres", e.url());
  }

  @Test
  void anExistingNameIsRefused() {
    endpoint("main", Optional.empty(), EndpointPorts.slot(0, 0)).create(home);
    Failure f = assertThrows(Failure.class, () -> endpoint("main", Optional.empty(), EndpointPorts.slot(0, 1)).create(home));
    assertTrue(f.getMessage().contains("endpoint 'main' already exists"), f.getMessage());
    assertEquals(EndpointPorts.slot(0, 0), EndpointRecord.read(home, "main").ports(), "the first record stays");
  }

  @Test
  void namesThatAreNotPlainWordsAreRefused() {
    for (String bad : List.of("../x", "a/b", "", ".hidden", "-x", "a b")) {
      assertThrows(Failure.class, () -> EndpointRecord.checkName(bad), bad);
    }
    assertEquals("ro_1.a-b", EndpointRecord.checkName("ro_1.a-b"));
  }

  @Test
  void theNodeConfigRunsTheComputeRoleOnTheEndpointsPorts() throws Exception {
    EndpointRecord e = endpoint("ro", Optional.empty(), EndpointPorts.slot(100, 2));
    EndpointNode node = new EndpointNode(home, e);
    node.writeFiles("akka://strata@127.0.0.1:25621");

    Config c = NodeConfig.load(node.configFile());
    assertEquals(List.of("compute"), c.getStringList("akka.cluster.roles"));
    assertEquals(List.of("akka://strata@127.0.0.1:25621"), c.getStringList("akka.cluster.seed-nodes"));
    assertEquals(25642, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals(8682, c.getInt("akka.management.http.port"));
    assertEquals(3182, c.getInt("strata.compute.http-port"));
    assertEquals(55534, c.getInt("strata.compute.pg-port"));
    assertEquals("ro", c.getString("strata.compute.endpoint-id"));
    Path dataDir = Path.of(c.getString("strata.data-dir"));
    assertEquals(home.toAbsolutePath().resolve("data").resolve("endpoint-ro"), dataDir);

    Path spec = dataDir.resolve("compute").resolve("ro").resolve("spec.json");   // where the compute looks at start
    assertEquals(spec, node.specFile());
    assertEquals(e.spec(), ComputeSpecJson.parse(Files.readString(spec)).document());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spec)));
  }
}
