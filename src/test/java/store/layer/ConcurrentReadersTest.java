package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.keyspace.Key;

/**
 * Readers on other threads keep getting the right answers while the owner ingests, freezes,
 * flushes, compacts, creates images and collects garbage underneath them. Readers ask only at or
 * above the GC cutoff, the promise GC keeps.
 */
class ConcurrentReadersTest {
  @TempDir Path dir;

  @Test
  void readsStayCorrectDuringFlushCompactionImagesAndGc() throws Exception {
    Workload w = new Workload(99, 32, 3000, 0x1000);
    TimelineLayers tl = TimelineLayers.create(dir, TimelineMetadata.root(0x1000, 15), null, TimelineLayersTest.SMALL);
    long cutoff = w.lsns.get(1200);
    // before the readers start: layers, an L1 band and an image below the cutoff
    for (int i = 0; i < 1300; i += 100) {
      step(tl, w, i);
      if (i == 500 || i == 1000) tl.compactL0(3);
      if (i == 1100) tl.createImageLayers(tl.diskConsistentLsn(), List.of(w.keyRange()), (k, l) -> Workload.materialize(tl.history(k, l)));
    }

    AtomicBoolean done = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      long seed = r;
      Thread t = new Thread(() -> {
        Random rnd = new Random(seed);
        try {
          while (!done.get() && failures.isEmpty()) {
            long last = tl.lastRecordLsn();
            int hi = w.lsns.indexOf(last), lo = w.lsns.indexOf(cutoff);
            long lsn = w.lsns.get(lo + rnd.nextInt(hi - lo + 1));
            Key k = w.keys.get(rnd.nextInt(w.keys.size()));
            byte[] got = Workload.materialize(tl.history(k, lsn));
            if (!Arrays.equals(w.expected(k, lsn), got)) failures.add("key " + k + " at " + Long.toHexString(lsn));
            reads.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e.toString());
        }
      });
      t.start();
      readers.add(t);
    }

    int removed = 0;
    try {
      while (reads.get() == 0 && failures.isEmpty()) Thread.onSpinWait();   // the writes must race running readers
      for (int i = 1300; i < 3000 && failures.isEmpty(); i += 100) {
        step(tl, w, i);
        if (i == 1500 || i == 2000 || i == 2500) tl.compactL0(3);
        if (i == 2100) tl.createImageLayers(tl.diskConsistentLsn(), List.of(w.keyRange()), (k, l) -> Workload.materialize(tl.history(k, l)));
        if (i == 2600) removed = tl.gc(cutoff, List.of()).removed().size();
      }
    } finally {
      done.set(true);
      for (Thread t : readers) t.join();
    }
    assertEquals(List.of(), List.copyOf(failures));
    assertTrue(reads.get() > 0);
    assertTrue(removed > 0, "GC removed layers under the readers");
  }

  /** Ingests 100 batches from {@code from}, then freezes and flushes. */
  private static void step(TimelineLayers tl, Workload w, int from) throws java.io.IOException {
    TimelineLayersTest.ingest(tl, w, from, from + 100);
    tl.freeze();
    tl.flushFrozen();
  }
}
