package store.layer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/**
 * A deterministic random ingest for tests: batches of versions over the blocks of one relation, each
 * key starting with an image, then small WAL records, sometimes an initialising one or a new image.
 * It keeps the model of what was written, so any (key, LSN) has an expected answer. "Materializing"
 * a history is: the newest image (or initialising record), then the later records' bytes appended.
 */
final class Workload {
  static final RelTag REL = new RelTag(1663, 5, 16384, ForkNumber.MAIN);
  static final long FIRST_LSN = 0x1000;

  final int keyCount;
  final List<Key> keys = new ArrayList<>();
  final List<Long> lsns = new ArrayList<>();
  final List<List<KeyValue>> batches = new ArrayList<>();
  private final Map<Key, NavigableMap<Long, Value>> model = new TreeMap<>();

  /** {@code batchCount} records, one batch each, touching 1..4 keys; the record's LSN steps by 8. */
  Workload(long seed, int keyCount, int batchCount, long firstLsn) {
    this.keyCount = keyCount;
    Random rnd = new Random(seed);
    for (int b = 0; b < keyCount; b++) keys.add(Key.relBlock(REL, b));
    long lsn = firstLsn;
    for (int i = 0; i < batchCount; i++) {
      lsn += 8;
      List<KeyValue> batch = new ArrayList<>();
      int touched = 1 + rnd.nextInt(4);
      int first = rnd.nextInt(keyCount);
      for (int t = 0; t < touched; t++) {
        Key k = keys.get((first + t * 7) % keyCount);
        if (batch.stream().anyMatch(kv -> kv.key().equals(k))) continue;
        NavigableMap<Long, Value> versions = model.computeIfAbsent(k, x -> new TreeMap<>());
        Value v;
        int dice = rnd.nextInt(100);
        if (versions.isEmpty() || dice < 8) {
          v = new Value.Image(bytes(rnd, 32 + rnd.nextInt(64)));
        } else if (dice < 14) {
          v = new Value.PgRecord(true, lsn - 8, lsn, bytes(rnd, 8 + rnd.nextInt(16)));
        } else {
          v = new Value.PgRecord(false, lsn - 8, lsn, bytes(rnd, 4 + rnd.nextInt(16)));
        }
        versions.put(lsn, v);
        batch.add(new KeyValue(k, lsn, v));
      }
      batch.sort((x, y) -> x.key().compareTo(y.key()));
      lsns.add(lsn);
      batches.add(batch);
    }
  }

  long lastLsn() {
    return lsns.get(lsns.size() - 1);
  }

  /** The keys' range: blocks 0..keyCount-1 of the relation. */
  KeyRange keyRange() {
    return new KeyRange(keys.get(0), keys.get(keyCount - 1).next());
  }

  /** What a read of {@code key} at {@code lsn} must materialize to, or null when it has no version yet. */
  byte[] expected(Key key, long lsn) {
    NavigableMap<Long, Value> versions = model.get(key);
    if (versions == null) return null;
    List<ValueHistory.Version> newestFirst = new ArrayList<>();
    for (Map.Entry<Long, Value> e : versions.headMap(lsn, true).descendingMap().entrySet()) {
      newestFirst.add(new ValueHistory.Version(e.getKey(), e.getValue()));
      if (e.getValue().willInit()) break;
    }
    return newestFirst.isEmpty() ? null : materialize(newestFirst);
  }

  /** The answer of a history: null when empty; an incomplete history is a test failure. */
  static byte[] materialize(ValueHistory h) {
    if (h.isEmpty()) return null;
    if (!h.complete()) throw new AssertionError("incomplete history of " + h.key() + " at " + h.lsn() + ": " + h.newestFirst());
    return materialize(h.newestFirst());
  }

  static byte[] materialize(List<ValueHistory.Version> newestFirst) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      Value v = newestFirst.get(i).value();
      if (v instanceof Value.Image img) {
        out.reset();
        out.writeBytes(img.bytes());
      } else if (v instanceof Value.PgRecord r) {
        if (r.willInit()) out.reset();
        out.writeBytes(r.record());
      } else {
        throw new AssertionError("unexpected value " + v);
      }
    }
    if (!newestFirst.get(newestFirst.size() - 1).value().willInit()) throw new AssertionError("oldest version needs an older one");
    return out.toByteArray();
  }

  /** Compares every key's reconstructed value at {@code lsn} with the model; returns how many keys exist. */
  int check(TimelineLayers tl, long lsn) throws java.io.IOException {
    int existing = 0;
    for (Key k : keys) {
      byte[] want = expected(k, lsn);
      byte[] got = materialize(tl.history(k, lsn));
      if (!Arrays.equals(want, got)) {
        throw new AssertionError("key " + k + " at " + Long.toHexString(lsn) + ": expected " + Arrays.toString(want) + " got "
            + Arrays.toString(got) + " layers " + tl.layers());
      }
      if (want != null) existing++;
    }
    return existing;
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
