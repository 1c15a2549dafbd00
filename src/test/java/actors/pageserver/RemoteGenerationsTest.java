package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import store.layer.IndexPart;
import store.layer.RemoteLayout;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import store.remote.EmbeddedS3;
import store.remote.ObjectInfo;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import testkit.ActorTestKitExtension;

/**
 * Two attachments of one tenant against a real embedded S3: an attach restores the first one's
 * timeline byte for byte under generation 2, each writes only objects of its own generation, and
 * once the newer attachment exists the older one no longer deletes what it dropped, so every
 * layer the newer index names stays in the bucket.
 */
class RemoteGenerationsTest {
  @RegisterExtension static final ActorTestKitExtension kit = new ActorTestKitExtension();
  private static final String TENANT = "1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c";
  private static final String TIMELINE = "2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d";

  @TempDir Path tmp;
  private EmbeddedS3 s3;
  private RemoteStorage remote;
  private ObjectStore store;

  @BeforeEach
  void startS3() throws Exception {
    s3 = EmbeddedS3.start(tmp.resolve("s3"), 0, "strata", "strata-secret");
    store = ObjectStore.create(kit.kit().system(), new S3Settings(s3.endpoint(), "generations", "us-east-1", "strata", "strata-secret"));
    remote = new RemoteStorage(store, new SimpleMeterRegistry());
  }

  @AfterEach
  void stopS3() {
    if (s3 != null) s3.close();
  }

  private Set<String> objects() {
    Set<String> keys = new HashSet<>();
    for (ObjectInfo o : store.list(RemoteLayout.tenantPrefix(TENANT)).toCompletableFuture().join()) keys.add(o.key());
    return keys;
  }

  private static void awaitRemote(TestProbe<?> probe, TimelineHandle h, long lsn) {
    probe.awaitAssert(Duration.ofSeconds(60), () -> {
      assertEquals(lsn, h.info().remoteConsistentLsn());
      return null;
    });
  }

  @Test
  void anAttachRestoresUnderTheNextGenerationAndTheOlderOneStopsDeleting() throws Exception {
    TestProbe<Object> probe = kit.kit().createTestProbe();
    Path first = tmp.resolve("first").resolve(TIMELINE);
    TimelineLayers a = TimelineFill.create(first);
    TimelineFill fill = new TimelineFill();
    for (int i = 0; i < 4; i++) fill.flushOneL0(a);
    TimelineHandle ha = TimelineFill.handle(TENANT, TIMELINE, a);
    ActorRef<Object> writerA = kit.kit().spawn(Behaviors.empty());
    kit.kit().spawn(RemoteUploader.create(1, ha, a, remote, writerA));
    awaitRemote(probe, ha, a.diskConsistentLsn());

    Path tenants = tmp.resolve("second").resolve("tenants");
    var e = assertThrows(PsError.Failure.class, () -> TenantAttach.run(remote, tenants, "00".repeat(16), LoggerFactory.getLogger("test")));
    assertEquals(PsError.UNKNOWN_TENANT, e.kind());
    assertTrue(e.getMessage().contains("00".repeat(16)) && e.getMessage().contains("generations"), e.getMessage());

    assertEquals(2, TenantAttach.run(remote, tenants, TENANT, LoggerFactory.getLogger("test")));
    Path restored = tenants.resolve(TENANT).resolve("timelines").resolve(TIMELINE);
    assertEquals(a.metadata().withLayers(a.metadata().layers().stream().sorted().toList()), TimelineMetadata.load(restored));
    for (String layer : a.metadata().layers()) assertArrayEquals(Files.readAllBytes(first.resolve(layer)), Files.readAllBytes(restored.resolve(layer)));
    assertEquals(2, TenantGeneration.readOrInit(tenants.resolve(TENANT)));

    TimelineLayers b = TimelineLayers.open(restored, null, TimelineFill.SETTINGS);
    TimelineHandle hb = TimelineFill.handle(TENANT, TIMELINE, b);
    ActorRef<Object> writerB = kit.kit().spawn(Behaviors.empty());
    kit.kit().spawn(RemoteUploader.create(2, hb, b, remote, writerB));
    IndexPart second = probe.awaitAssert(Duration.ofSeconds(60), () -> {
      var found = remote.latestIndex(TENANT, TIMELINE, 2).toCompletableFuture().join();
      assertEquals(2, found.orElseThrow().generation(), "the new attachment writes its own index at once");
      return found.get().index();
    });
    assertEquals(b.diskConsistentLsn(), hb.info().remoteConsistentLsn());
    for (IndexPart.RemoteLayer l : second.layers().values()) assertEquals(1, l.generation(), "restored layers stay the first generation's");

    // The first attachment goes on: compaction drops the L0s that index 2 still names.
    fill.flushOneL0(a);
    a.compactL0(4);
    awaitRemote(probe, ha, a.diskConsistentLsn());
    IndexPart firstAfter = remote.index(TENANT, TIMELINE, 1).toCompletableFuture().join();
    assertNotEquals(second.layers().keySet(), firstAfter.layers().keySet(), "compaction changed the first attachment's index");
    Set<String> keys = objects();
    for (var l : second.layers().entrySet()) {
      assertTrue(keys.contains(RemoteLayout.layerKey(TENANT, TIMELINE, l.getKey(), l.getValue().generation())), "kept " + l.getKey());
    }
    assertTrue(keys.contains(RemoteLayout.indexKey(TENANT, TIMELINE, 1)) && keys.contains(RemoteLayout.indexKey(TENANT, TIMELINE, 2)));
    kit.kit().stop(writerA);
    kit.kit().stop(writerB);
  }

  @Test
  void anAttachRestoresABranchWithItsAncestor() throws Exception {
    TestProbe<Object> probe = kit.kit().createTestProbe();
    String branchId = "3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e";
    Path timelines = tmp.resolve("first");
    TimelineLayers root = TimelineFill.create(timelines.resolve(TIMELINE));
    new TimelineFill().flushOneL0(root);
    long branchLsn = root.lastRecordLsn();
    TimelineLayers branch = TimelineLayers.create(timelines.resolve(branchId),
        TimelineMetadata.branch(TIMELINE, branchLsn, root.prevRecordLsn(), TimelineFill.INITDB, 15), root, TimelineFill.SETTINGS);
    new TimelineFill(branchLsn).flushOneL0(branch);
    ActorRef<Object> writer = kit.kit().spawn(Behaviors.empty());
    TimelineHandle hr = TimelineFill.handle(TENANT, TIMELINE, root), hb = TimelineFill.handle(TENANT, branchId, branch);
    kit.kit().spawn(RemoteUploader.create(1, hr, root, remote, writer));
    kit.kit().spawn(RemoteUploader.create(1, hb, branch, remote, writer));
    awaitRemote(probe, hr, root.diskConsistentLsn());
    awaitRemote(probe, hb, branch.diskConsistentLsn());
    kit.kit().stop(writer);

    Path tenants = tmp.resolve("second").resolve("tenants");
    assertEquals(2, TenantAttach.run(remote, tenants, TENANT, LoggerFactory.getLogger("test")));
    Path restored = tenants.resolve(TENANT).resolve("timelines");
    TimelineLayers root2 = TimelineLayers.open(restored.resolve(TIMELINE), null, TimelineFill.SETTINGS);
    TimelineLayers branch2 = TimelineLayers.open(restored.resolve(branchId), root2, TimelineFill.SETTINGS);
    assertEquals(TIMELINE, branch2.metadata().ancestorTimelineId());
    assertEquals(branchLsn, branch2.ancestorLsn());
    assertEquals(branch.diskConsistentLsn(), branch2.diskConsistentLsn());
    assertEquals(branch.prevRecordLsn(), branch2.prevRecordLsn());
    assertEquals(root.diskConsistentLsn(), root2.diskConsistentLsn());
  }
}
