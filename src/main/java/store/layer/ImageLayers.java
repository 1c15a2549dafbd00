package store.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * Image layer creation (reference pageserver.md §4.7): which key ranges are worth an image, and
 * writing them. An image layer holds every key of its range that exists at its LSN; a key the
 * materializer reports missing is simply not written, which is how deletions become physical.
 */
final class ImageLayers {
  private ImageLayers() {}

  /**
   * The partitions over which, since the newest image at or below {@code lsn}, at least {@code
   * threshold} delta layers are stacked somewhere. L0s count only for a partition of the whole key space.
   */
  static List<KeyRange> worthImaging(LayerMap map, List<KeyRange> partitions, long lsn, int threshold) {
    List<KeyRange> out = new ArrayList<>();
    for (KeyRange p : partitions) {
      boolean countL0 = p.equals(KeyRange.FULL);
      int tallest = 0;
      for (HistoricIndex.Interval iv : map.index().intervals(p)) {
        long lastImage = -1;
        for (LayerFile f : iv.layers()) {
          LayerName n = f.name();
          if (n.kind() == LayerKind.IMAGE && n.imageLsn() <= lsn) lastImage = Math.max(lastImage, n.imageLsn());
        }
        int stack = 0;
        for (LayerFile f : iv.layers()) {
          LayerName n = f.name();
          if (n.kind() != LayerKind.DELTA || (n.isL0() && !countL0)) continue;
          if (n.lsnStart() <= lsn && n.lsnEnd() > lastImage + 1) stack++;
        }
        tallest = Math.max(tallest, stack);
      }
      if (tallest >= threshold) out.add(p);
    }
    return out;
  }

  /**
   * Materializes every key of each range at {@code lsn} into image layers, a new file at the next key
   * once one holds {@code targetSize} bytes. A range whose image is already listed ({@code existing})
   * is skipped. Keys are enumerated one by one, so ranges must be the real key space, not Key.MIN..MAX.
   * On failure removes what it wrote.
   */
  static List<LayerFile> write(Path dir, long lsn, List<KeyRange> ranges, Materializer m, long targetSize, Set<String> existing)
      throws IOException {
    return writePartitions(dir, lsn, ranges, KeySpace.of(ranges), m, targetSize, existing);
  }

  /**
   * Materializes, for each partition, the keys of {@code keyspace} inside it at {@code lsn} into image
   * layers covering the whole partition (a key of the partition outside the key space does not exist at
   * {@code lsn}, and the image says so); a partition is cut into files at the next key once one holds
   * {@code targetSize} bytes. On failure removes what it wrote.
   */
  static List<LayerFile> writePartitions(Path dir, long lsn, List<KeyRange> partitions, KeySpace keyspace, Materializer m,
      long targetSize, Set<String> existing) throws IOException {
    List<LayerFile> outputs = new ArrayList<>();
    boolean ok = false;
    try {
      for (KeyRange p : partitions) {
        LayerWriter w = null;
        Key from = p.start();
        try {
          for (KeyRange r : keyspace.within(p)) {
            for (Key k = r.start(); k.compareTo(r.end()) < 0; k = k.next()) {
              byte[] bytes = m.get(k, lsn);
              if (bytes == null) continue;
              if (w != null && w.bytesWritten() >= targetSize) {
                finish(w, new KeyRange(from, k), lsn, existing, outputs);
                w = null;
                from = k;
              }
              if (w == null) w = LayerWriter.image(dir, lsn);
              w.add(k, lsn, ValueFormat.encode(new Value.Image(bytes)), true);
            }
          }
          if (w == null) w = LayerWriter.image(dir, lsn);
          finish(w, new KeyRange(from, p.end()), lsn, existing, outputs);
          w = null;
        } finally {
          if (w != null) w.close();
        }
      }
      ok = true;
      return outputs;
    } finally {
      if (!ok) {
        for (LayerFile f : outputs) Files.deleteIfExists(f.path());
      }
    }
  }

  private static void finish(LayerWriter w, KeyRange keys, long lsn, Set<String> existing, List<LayerFile> outputs) throws IOException {
    String name = LayerName.image(keys, lsn).toString();
    boolean taken = existing.contains(name);
    for (LayerFile f : outputs) taken |= f.name().toString().equals(name);
    if (taken) {
      w.close();   // the same image is already there
    } else {
      outputs.add(w.finish(keys));
    }
  }
}
