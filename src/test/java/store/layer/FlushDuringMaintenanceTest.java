package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest never waits on compaction: while image creation holds the layers, a flush is skipped, and done once it ends. */
class FlushDuringMaintenanceTest {
  @TempDir Path dir;

  @Test
  void tryFlushSkipsWhileImagesAreWrittenAndFlushesAfter() throws Exception {
    Workload w = new Workload(3, 16, 200, 0x1000);
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    TimelineLayersTest.ingest(tl, w, 0, 100);
    tl.freeze();
    tl.flushFrozen();
    CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
    long lsn = tl.diskConsistentLsn();
    CompletableFuture<Void> images = CompletableFuture.runAsync(() -> {
      try {
        tl.createImageLayers(lsn, List.of(KeyRange.FULL), KeySpace.of(List.of(w.keyRange())), (k, l) -> {
          inside.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
          return Workload.materialize(tl.history(k, l));
        });
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(inside.await(30, TimeUnit.SECONDS));
    TimelineLayersTest.ingest(tl, w, 100, 200);
    tl.freeze();
    assertFalse(tl.tryFlushFrozen(), "image creation holds the layers");
    assertEquals(1, tl.layerMap().frozen().size());
    w.check(tl, w.lsns.get(199));   // the frozen layer answers reads meanwhile
    release.countDown();
    images.get(30, TimeUnit.SECONDS);
    assertTrue(tl.tryFlushFrozen());
    assertTrue(tl.layerMap().frozen().isEmpty());
    assertEquals(w.lsns.get(199), tl.diskConsistentLsn());
  }
}
