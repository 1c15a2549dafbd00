package actors.compute;

import static actors.compute.ComputeState.CONFIGURATION;
import static actors.compute.ComputeState.CONFIGURATION_PENDING;
import static actors.compute.ComputeState.EMPTY;
import static actors.compute.ComputeState.FAILED;
import static actors.compute.ComputeState.INIT;
import static actors.compute.ComputeState.REFRESH_CONFIGURATION;
import static actors.compute.ComputeState.REFRESH_CONFIGURATION_PENDING;
import static actors.compute.ComputeState.RUNNING;
import static actors.compute.ComputeState.TERMINATED;
import static actors.compute.ComputeState.TERMINATION_PENDING_FAST;
import static actors.compute.ComputeState.TERMINATION_PENDING_IMMEDIATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import wire.xlog.Lsn;

/**
 * The compute_ctl state machine with scripted steps (a static compute, so no safekeepers are
 * involved): the order of the states, which requests each state refuses, and how failures end.
 */
class ComputeNodeTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Lsn STATIC_LSN = Lsn.parse("0/2000028");

  @TempDir Path dir;

  static ObjectNode staticDoc() {
    ObjectNode doc = ComputeSpecTest.primary();
    ((ObjectNode) doc.get("spec")).putObject("mode").put("Static", STATIC_LSN.toString());
    ((ObjectNode) doc.get("spec")).remove("safekeeper_connstrings");
    return doc;
  }

  private ActorRef<ComputeNode.Command> spawn(ScriptedSteps steps) {
    return testKit.kit().spawn(ComputeNode.create(ComputeSettingsForTests.of(dir), steps,
        ComputeMetrics.register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))));
  }

  private static ComputeNode.Status status(ActorRef<ComputeNode.Command> node) {
    TestProbe<ComputeNode.Status> p = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.GetStatus(p.ref()));
    return p.receiveMessage(WAIT);
  }

  private static List<ComputeState> history(ActorRef<ComputeNode.Command> node) {
    return status(node).history().stream().map(ComputeNode.Transition::state).toList();
  }

  private static ComputeNode.ConfigureReply configure(ActorRef<ComputeNode.Command> node, ObjectNode doc) {
    TestProbe<ComputeNode.ConfigureReply> p = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.Configure(ComputeSpecJson.parse(doc), p.ref()));
    return p.receiveMessage(WAIT);
  }

  private static ComputeNode.TerminateReply terminate(ActorRef<ComputeNode.Command> node, TerminationMode mode) {
    TestProbe<ComputeNode.TerminateReply> p = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.Terminate(mode, p.ref()));
    return p.receiveMessage(WAIT);
  }

  @Test
  void aStartAndAFastStopGoThroughTheDiagramInOrder() throws IOException {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    assertEquals(EMPTY, status(node).state());

    ComputeNode.Configured done = assertInstanceOf(ComputeNode.Configured.class, configure(node, staticDoc()));
    assertEquals(RUNNING, done.status().state());
    assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, RUNNING), history(node));
    assertEquals(List.of("waitForPageserver " + STATIC_LSN, "basebackup " + STATIC_LSN, "writeConfig", "startPostgres"), steps.calls,
        "a static compute waits for its LSN, takes the basebackup there and applies no catalog changes");

    ComputeNode.Stopped stopped = assertInstanceOf(ComputeNode.Stopped.class, terminate(node, TerminationMode.FAST));
    assertEquals(new ComputeNode.Stopped(Optional.empty(), false), stopped, "only a primary syncs safekeepers and has an LSN");
    assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, RUNNING, TERMINATION_PENDING_FAST, TERMINATED), history(node));
    assertTrue(steps.calls.contains("stop fast"), steps.calls.toString());
    assertEquals(new ComputeNode.Stopped(Optional.empty(), true), terminate(node, TerminationMode.FAST), "a second /terminate: 201");

    TestProbe<Void> files = testKit.kit().createTestProbe();
    files.awaitAssert(WAIT, () -> {
      assertTrue(Files.exists(ComputeSettingsForTests.of(dir).specFile()), "the accepted spec is kept in spec.json");
      return null;
    });
    assertEquals(STATIC_LSN.toString(),
        ComputeSpecJson.MAPPER.readTree(Files.readString(ComputeSettingsForTests.of(dir).specFile())).path("spec").path("mode").path("Static").asText());
  }

  @Test
  void startupSpansAreReportedForEveryStepRun() {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    configure(node, staticDoc());
    TestProbe<StartupSpans> p = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.GetStartupMetrics(p.ref()));
    StartupSpans spans = p.receiveMessage(WAIT);
    assertEquals(List.of("wait_for_spec_ms", "wait_for_pageserver_ms", "basebackup_ms", "config_ms", "start_postgres_ms",
        "basebackup_bytes", "total_startup_ms"), List.copyOf(spans.json().keySet()));
    assertEquals(12345L, spans.json().get("basebackup_bytes"));
  }

  @Test
  void aConfigureDuringTheStartIsRefusedAndTheStartGoesOn() {
    ScriptedSteps steps = new ScriptedSteps();
    var basebackup = steps.hold("basebackup " + STATIC_LSN);
    ActorRef<ComputeNode.Command> node = spawn(steps);
    TestProbe<ComputeNode.ConfigureReply> first = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.Configure(ComputeSpecJson.parse(staticDoc()), first.ref()));
    testKit.kit().createTestProbe().awaitAssert(WAIT, () -> {
      assertEquals(INIT, status(node).state());
      return null;
    });

    assertEquals(new ComputeNode.Refused(412, "invalid compute status: init"), configure(node, staticDoc()));
    assertEquals(new ComputeNode.Refused(412, "invalid compute status: init"), terminate(node, TerminationMode.FAST));
    assertEquals(INIT, status(node).state());

    basebackup.complete(null);
    assertEquals(RUNNING, assertInstanceOf(ComputeNode.Configured.class, first.receiveMessage(WAIT)).status().state());
  }

  @Test
  void aFailedStepEndsInFailedWithItsReason() {
    ScriptedSteps steps = new ScriptedSteps();
    steps.fail("basebackup " + STATIC_LSN, new IOException("no space left on device"));
    ActorRef<ComputeNode.Command> node = spawn(steps);
    ComputeNode.Refused r = assertInstanceOf(ComputeNode.Refused.class, configure(node, staticDoc()));
    assertEquals(500, r.httpStatus());
    assertTrue(r.message().contains("basebackup failed: no space left on device"), r.message());
    ComputeNode.Status s = status(node);
    assertEquals(FAILED, s.state());
    assertTrue(s.error().orElseThrow().contains("no space left on device"), s.error().toString());
    assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, FAILED), history(node));
    assertEquals(List.of("waitForPageserver " + STATIC_LSN, "basebackup " + STATIC_LSN), steps.calls, "nothing runs after a failed step");
  }

  @Test
  void postgresExitingOnItsOwnFailsTheComputeWithTheReason() {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    configure(node, staticDoc());
    steps.postgres.exit.complete(3);
    testKit.kit().createTestProbe().awaitAssert(WAIT, () -> {
      ComputeNode.Status s = status(node);
      assertEquals(FAILED, s.state());
      assertTrue(s.error().orElseThrow().contains("exited unexpectedly with code 3"), s.error().toString());
      return null;
    });
    assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, RUNNING, FAILED), history(node));
  }

  @Test
  void aReconfigurationGoesThroughPendingAndConfigurationAndReloads() {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    configure(node, staticDoc());
    steps.calls.clear();
    ObjectNode changed = staticDoc();
    ((ObjectNode) changed.get("spec").get("cluster")).put("postgresql_conf", "work_mem = '8MB'\n");
    assertInstanceOf(ComputeNode.Configured.class, configure(node, changed));
    assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, RUNNING, CONFIGURATION_PENDING, CONFIGURATION, RUNNING), history(node));
    assertEquals(List.of("writeConfig", "reload"), steps.calls, "a reconfiguration never restarts PostgreSQL");
  }

  @Test
  void aSpecForAnotherTimelineIsRefusedAndChangesNothing() {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    configure(node, staticDoc());
    List<ComputeState> before = history(node);
    ObjectNode other = staticDoc();
    ((ObjectNode) other.get("spec")).put("timeline_id", "11111111111111111111111111111111");
    ComputeNode.Refused r = assertInstanceOf(ComputeNode.Refused.class, configure(node, other));
    assertEquals(400, r.httpStatus());
    assertTrue(r.message().contains("timeline_id cannot change"), r.message());
    assertEquals(before, history(node));
    assertEquals(ComputeSpecTest.TIMELINE, status(node).timelineId().orElseThrow());
  }

  @Test
  void aSpecFileOnDiskStartsTheComputeAtOnce() throws IOException {
    Files.createDirectories(dir);
    Files.writeString(ComputeSettingsForTests.of(dir).specFile(), ComputeSpecJson.write(ComputeSpecJson.parse(staticDoc())));
    ActorRef<ComputeNode.Command> node = spawn(new ScriptedSteps());
    testKit.kit().createTestProbe().awaitAssert(WAIT, () -> {
      assertEquals(List.of(EMPTY, INIT, RUNNING), history(node));
      return null;
    });
  }

  @Test
  void aBrokenSpecFileFailsTheComputeNamingTheFile() throws IOException {
    Files.writeString(ComputeSettingsForTests.of(dir).specFile(), "{\"spec\": {\"tenant_id\": \"nope\"}}");
    ActorRef<ComputeNode.Command> node = spawn(new ScriptedSteps());
    testKit.kit().createTestProbe().awaitAssert(WAIT, () -> {
      ComputeNode.Status s = status(node);
      assertEquals(FAILED, s.state());
      assertTrue(s.error().orElseThrow().contains("spec.json: spec.tenant_id"), s.error().toString());
      return null;
    });
  }

  @Test
  void terminatingAnEmptyComputeEndsIt() {
    ActorRef<ComputeNode.Command> node = spawn(new ScriptedSteps());
    assertEquals(new ComputeNode.Stopped(Optional.empty(), false), terminate(node, TerminationMode.IMMEDIATE));
    assertEquals(List.of(EMPTY, TERMINATION_PENDING_IMMEDIATE, TERMINATED), history(node));
    assertEquals(new ComputeNode.Refused(412, "invalid compute status: terminated"), configure(node, staticDoc()));
  }

  @Test
  void aRefreshRereadsSpecJsonAndAppliesWhatChanged() throws IOException {
    ScriptedSteps steps = new ScriptedSteps();
    ActorRef<ComputeNode.Command> node = spawn(steps);
    configure(node, staticDoc());
    ObjectNode changed = staticDoc();
    ((ObjectNode) changed.get("spec")).put("suspend_timeout_seconds", 60);
    TestProbe<Void> wait = testKit.kit().createTestProbe();
    wait.awaitAssert(WAIT, () -> {   // the compute's own write of spec.json must not overwrite ours
      assertTrue(Files.exists(ComputeSettingsForTests.of(dir).specFile()));
      return null;
    });
    Files.writeString(ComputeSettingsForTests.of(dir).specFile(), ComputeSpecJson.write(ComputeSpecJson.parse(changed)));
    steps.calls.clear();

    TestProbe<ComputeNode.RefreshReply> p = testKit.kit().createTestProbe();
    node.tell(new ComputeNode.RefreshConfiguration(p.ref()));
    assertEquals(new ComputeNode.RefreshAccepted(REFRESH_CONFIGURATION_PENDING), p.receiveMessage(WAIT));
    wait.awaitAssert(WAIT, () -> {
      assertEquals(List.of(EMPTY, CONFIGURATION_PENDING, INIT, RUNNING, REFRESH_CONFIGURATION_PENDING, REFRESH_CONFIGURATION, RUNNING),
          history(node));
      return null;
    });
    assertEquals(List.of("writeConfig", "reload"), steps.calls);
  }
}
