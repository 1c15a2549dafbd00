package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import store.layer.IndexPart;
import store.layer.RemoteLayout;
import store.layer.TimelineLayers;
import store.remote.EmbeddedS3;
import store.remote.ObjectInfo;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import testkit.ActorTestKitExtension;

/**
 * The uploader against a real embedded S3 while layers are flushed, compacted and collected under
 * it: a reader listing the bucket at any moment finds every layer the index names, the final index
 * is the timeline's metadata, remote_consistent_lsn reaches disk_consistent_lsn, and the objects
 * the index dropped are gone.
 */
class RemoteUploaderTest {
  @RegisterExtension static final ActorTestKitExtension kit = new ActorTestKitExtension();
  private static final String TENANT = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a";
  private static final String TIMELINE = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";

  @TempDir Path tmp;
  private EmbeddedS3 s3;
  private ObjectStore store;

  @BeforeEach
  void startS3() throws Exception {
    s3 = EmbeddedS3.start(tmp.resolve("s3"), 0, "strata", "strata-secret");
    store = ObjectStore.create(kit.kit().system(), new S3Settings(s3.endpoint(), "uploader-test", "us-east-1", "strata", "strata-secret"));
  }

  @AfterEach
  void stopS3() {
    if (s3 != null) s3.close();
  }

  @Test
  void aReaderAlwaysFindsTheLayersOfTheIndexAndDroppedLayersAreDeletedAfterIt() throws Exception {
    TimelineLayers tl = TimelineFill.create(tmp.resolve("tl"));
    TimelineHandle handle = TimelineFill.handle(TENANT, TIMELINE, tl);
    TimelineFill fill = new TimelineFill();
    RemoteStorage remote = new RemoteStorage(store, new SimpleMeterRegistry());
    ActorRef<Object> writer = kit.kit().spawn(Behaviors.empty());

    store.ensureBucket().toCompletableFuture().join();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger consistentReads = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      String indexKey = RemoteLayout.indexKey(TENANT, TIMELINE, 1);
      while (!stop.get()) {
        try {
          Optional<byte[]> before = store.get(indexKey).toCompletableFuture().join();
          if (before.isEmpty()) continue;
          Set<String> keys = new HashSet<>();
          for (ObjectInfo o : store.list(RemoteLayout.timelinePrefix(TENANT, TIMELINE)).toCompletableFuture().join()) keys.add(o.key());
          Optional<byte[]> after = store.get(indexKey).toCompletableFuture().join();
          if (after.isEmpty() || !Arrays.equals(before.get(), after.get())) continue;   // it changed while we listed: read again
          IndexPart index = IndexPart.parse(indexKey, before.get());
          for (var l : index.layers().entrySet()) {
            String key = RemoteLayout.layerKey(TENANT, TIMELINE, l.getKey(), l.getValue().generation());
            if (!keys.contains(key)) violations.add("index at " + index.metadata().diskConsistentLsn() + " names missing " + key);
          }
          consistentReads.incrementAndGet();
        } catch (Exception e) {
          violations.add("reader: " + e);
        }
      }
    }, "s3-reader");
    reader.start();

    ActorRef<RemoteUploader.Command> uploader = kit.kit().spawn(RemoteUploader.create(1, handle, tl, remote, writer));
    try {
      TestProbe<Object> probe = kit.kit().createTestProbe();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 4; i++) fill.flushOneL0(tl);
        tl.compactL0(4);
        if (round == 2) tl.gc(tl.diskConsistentLsn(), List.of());
        long target = tl.diskConsistentLsn();
        probe.awaitAssert(Duration.ofSeconds(60), () -> {
          assertEquals(target, handle.info().remoteConsistentLsn(), "remote_consistent_lsn reaches disk_consistent_lsn");
          return null;
        });
      }
      IndexPart last = remote.index(TENANT, TIMELINE, 1).toCompletableFuture().join();
      assertEquals(tl.metadata().layers().stream().sorted().toList(), last.metadata().layers());
      assertEquals(tl.diskConsistentLsn(), last.metadata().diskConsistentLsn());
      probe.awaitAssert(Duration.ofSeconds(30), () -> {
        Set<String> layerObjects = new HashSet<>();
        for (ObjectInfo o : store.list(RemoteLayout.timelinePrefix(TENANT, TIMELINE)).toCompletableFuture().join()) {
          RemoteLayout.Parsed p = RemoteLayout.parse(o.key());
          if (p != null && p.kind() == RemoteLayout.Kind.LAYER) layerObjects.add(p.layerName());
        }
        assertEquals(new HashSet<>(last.layers().keySet()), layerObjects, "exactly the indexed layers remain");
        return null;
      });
    } finally {
      stop.set(true);
      reader.join();
      kit.kit().stop(writer);
    }
    assertEquals(List.of(), violations);
    assertTrue(consistentReads.get() > 0, "the reader saw an index");
    assertFalse(tl.metadata().layers().isEmpty());
  }
}
