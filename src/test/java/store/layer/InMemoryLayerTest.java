package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import wire.keyspace.Key;
import wire.keyspace.Value;

class InMemoryLayerTest {
  private static final Key K = Key.relBlock(Workload.REL, 3);

  private static Value rec(boolean init, long lsn) {
    return new Value.PgRecord(init, lsn - 8, lsn, new byte[] {(byte) lsn});
  }

  @Test
  void collectsNewestFirstInTheWindowAndStopsAtWillInit() throws IOException {
    InMemoryLayer m = new InMemoryLayer(10);
    m.put(K, 10, new Value.Image(new byte[] {1}));
    m.put(K, 20, rec(false, 20));
    m.put(K, 30, rec(true, 30));
    m.put(K, 40, rec(false, 40));
    List<ValueHistory.Version> out = new ArrayList<>();
    assertTrue(m.collect(K, 0, 100, out));
    assertEquals(List.of(40L, 30L), out.stream().map(ValueHistory.Version::lsn).toList());
    out.clear();
    assertFalse(m.collect(K, 15, 30, out));
    assertEquals(List.of(20L), out.stream().map(ValueHistory.Version::lsn).toList());
    out.clear();
    assertFalse(m.collect(Key.relBlock(Workload.REL, 4), 0, 100, out));
    assertTrue(out.isEmpty());
    assertTrue(m.bytes() > 0);
  }

  /** Values fill several arena chunks, one is larger than a chunk: each reads back byte for byte. */
  @Test
  void valuesAcrossArenaChunksAndLargerThanAChunkReadBackExactly() throws IOException {
    InMemoryLayer m = new InMemoryLayer(8);
    int n = 40;
    for (int i = 0; i < n; i++) {
      int size = i == 17 ? ValueArena.MAX_CHUNK * 2 + 5 : 100_000 + i;
      byte[] page = new byte[size];
      for (int j = 0; j < size; j++) page[j] = (byte) (i * 31 + j);
      m.put(Key.relBlock(Workload.REL, i), 16 + i * 8L, new Value.Image(page));
    }
    for (int i = 0; i < n; i++) {
      List<ValueHistory.Version> out = new ArrayList<>();
      assertTrue(m.collect(Key.relBlock(Workload.REL, i), 0, Long.MAX_VALUE, out));
      byte[] got = ((Value.Image) out.get(0).value()).bytes();
      int size = i == 17 ? ValueArena.MAX_CHUNK * 2 + 5 : 100_000 + i;
      assertEquals(size, got.length, "block " + i);
      for (int j = 0; j < size; j++) {
        if (got[j] != (byte) (i * 31 + j)) throw new AssertionError("block " + i + " byte " + j);
      }
    }
  }

  @Test
  void refusesLsnsThatDoNotAscendOrPrecedeTheLayer() {
    InMemoryLayer m = new InMemoryLayer(10);
    m.put(K, 20, rec(true, 20));
    assertThrows(IllegalArgumentException.class, () -> m.put(K, 20, rec(false, 20)));
    assertThrows(IllegalArgumentException.class, () -> m.put(K, 18, rec(false, 18)));
    assertThrows(IllegalArgumentException.class, () -> m.put(Key.relBlock(Workload.REL, 9), 8, rec(true, 8)));
    assertThrows(IllegalStateException.class, () -> m.freeze(20, 12), "a put at 20 does not fit below end 20");
    m.freeze(21, 12);
    assertThrows(IllegalStateException.class, () -> m.put(K, 30, rec(false, 30)));
  }

  /** A reader racing the writer sees, for every read, a gap-free newest-first run ending at the image. */
  @Test
  void readersRacingTheWriterSeeConsistentPrefixes() throws Exception {
    InMemoryLayer m = new InMemoryLayer(8);
    int n = 20_000;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    CountDownLatch reading = new CountDownLatch(1);   // the writer starts once the reader runs: else it may finish first
    Thread reader = new Thread(() -> {
      List<ValueHistory.Version> out = new ArrayList<>();
      try {
        while (!stop.get()) {
          out.clear();
          m.collect(K, 0, Long.MAX_VALUE, out);
          reading.countDown();
          for (int i = 0; i < out.size(); i++) {
            long expect = out.get(0).lsn() - 8L * i;
            if (out.get(i).lsn() != expect) throw new AssertionError("gap at " + i + ": " + out.get(i).lsn() + " != " + expect);
          }
          if (!out.isEmpty() && out.get(out.size() - 1).lsn() != 8) throw new AssertionError("did not reach the image");
        }
      } catch (Throwable t) {
        failure.set(t.toString());
      }
    });
    reader.start();
    reading.await();
    m.put(K, 8, new Value.Image(new byte[] {0}));
    for (int i = 2; i <= n && failure.get() == null; i++) {
      m.put(K, 8L * i, rec(false, 8L * i));
    }
    stop.set(true);
    reader.join();
    assertEquals(null, failure.get());
    List<ValueHistory.Version> all = new ArrayList<>();
    assertTrue(m.collect(K, 0, Long.MAX_VALUE, all));
    assertEquals(n, all.size(), "every version is visible once the writer is done");
  }
}
