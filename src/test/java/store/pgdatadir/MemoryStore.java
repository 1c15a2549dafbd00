package store.pgdatadir;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import store.layer.KeyValue;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.xlog.Lsn;

/**
 * Test storage: every version of every key in memory. Reads return the newest version at or below
 * the LSN when it is an image; a page whose newest version is a record would need WAL redo, which
 * these tests do not run, so reading it fails.
 */
final class MemoryStore implements PageReader, Consumer<List<KeyValue>> {
  final TreeMap<Key, TreeMap<Long, Value>> data = new TreeMap<>();
  long puts;
  long batches;

  /** Takes a batch as TimelineLayers would: per key, LSNs must not go backwards (an equal LSN replaces). */
  @Override
  public void accept(List<KeyValue> batch) {
    batches++;
    for (KeyValue kv : batch) {
      TreeMap<Long, Value> versions = data.computeIfAbsent(kv.key(), k -> new TreeMap<>(Long::compareUnsigned));
      if (!versions.isEmpty() && Long.compareUnsigned(kv.lsn(), versions.lastKey()) < 0) {
        throw new AssertionError(kv.key() + " at " + Lsn.of(kv.lsn()) + " after " + Lsn.of(versions.lastKey()));
      }
      versions.put(kv.lsn(), kv.value());
      puts++;
    }
  }

  @Override
  public byte[] get(Key key, long lsn) throws IOException {
    TreeMap<Long, Value> versions = data.get(key);
    if (versions == null) return null;
    Map.Entry<Long, Value> e = versions.floorEntry(lsn);
    if (e == null) return null;
    if (e.getValue() instanceof Value.Image i) return i.bytes();
    throw new IOException(key + " at " + Lsn.of(lsn) + " needs redo of a " + e.getValue().getClass().getSimpleName());
  }

  Datadir at(Lsn lsn) {
    return new Datadir(this, lsn.value());
  }
}
