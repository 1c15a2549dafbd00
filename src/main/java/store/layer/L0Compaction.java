package store.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import wire.keyspace.Key;

/**
 * L0 → L1 compaction (reference pageserver.md §4.7): the oldest L0 deltas that form a contiguous LSN
 * chain are merged in (key, lsn) order into L1 deltas spanning the chain's whole LSN range, cut into
 * files at a key boundary once a file holds the target size. One key's history is never split, so a
 * single huge key can make one file larger than the target. Output key ranges run from the first key
 * to just past the last, so an L1 is never mistaken for an L0.
 */
final class L0Compaction {
  private L0Compaction() {}

  /** The oldest L0s whose LSN ranges follow each other, up to {@code sizeLimit} bytes (at least two, else none). */
  static List<LayerFile> chain(List<LayerFile> l0OldestFirst, long sizeLimit) {
    List<LayerFile> out = new ArrayList<>();
    long total = 0;
    for (LayerFile f : l0OldestFirst) {
      if (!out.isEmpty() && (f.name().lsnStart() != out.get(out.size() - 1).name().lsnEnd() || total >= sizeLimit)) break;
      out.add(f);
      total += f.sizeBytes();
    }
    return out.size() >= 2 ? out : List.of();
  }

  /** Writes the merged L1 files; on failure removes what it wrote. */
  static List<LayerFile> merge(Path dir, List<LayerFile> inputs, long targetSize) throws IOException {
    long lsnStart = inputs.get(0).name().lsnStart(), lsnEnd = inputs.get(inputs.size() - 1).name().lsnEnd();
    PriorityQueue<Cursor> heap = new PriorityQueue<>(Comparator.comparing((Cursor c) -> c.key).thenComparingLong(c -> c.lsn));
    for (LayerFile f : inputs) {
      Cursor c = new Cursor(f);
      if (c.load()) heap.add(c);
    }
    List<LayerFile> outputs = new ArrayList<>();
    LayerWriter w = null;
    Key rangeStart = null, previous = null;
    boolean ok = false;
    try {
      while (!heap.isEmpty()) {
        Cursor c = heap.poll();
        Key key = c.key;
        if (w != null && !key.equals(previous) && w.bytesWritten() >= targetSize) {
          outputs.add(w.finish(new KeyRange(rangeStart, key)));
          w = null;
        }
        if (w == null) {
          w = LayerWriter.delta(dir, lsnStart, lsnEnd);
          rangeStart = key;
        }
        w.add(key, c.lsn, c.file.rawValueAt(c.i), c.file.willInitAt(c.i));
        previous = key;
        c.i++;
        if (c.load()) heap.add(c);
      }
      if (w != null) outputs.add(w.finish(new KeyRange(rangeStart, previous.next())));
      ok = true;
      return outputs;
    } finally {
      if (w != null) w.close();
      if (!ok) {
        for (LayerFile f : outputs) Files.deleteIfExists(f.path());
      }
    }
  }

  /** The next entry of one input layer. */
  private static final class Cursor {
    final LayerFile file;
    int i;
    Key key;
    long lsn;

    Cursor(LayerFile file) {
      this.file = file;
    }

    boolean load() {
      if (i >= file.entryCount()) return false;
      key = file.keyAt(i);
      lsn = file.lsnAt(i);
      return true;
    }
  }
}
