package store.layer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * An import's values as image layers at its one LSN. Batches arrive sorted within themselves but not
 * across each other, so each is spilled as a sorted run, and the runs are merged into image layers that
 * cover the whole key space, cut at the target size. Memory stays at one batch whatever the size of
 * the data directory, and no page of it passes through the in-memory layer.
 */
public final class ImportImages {
  private final Path dir;
  private final long lsn;
  private final long targetSize;
  private final List<Path> runs = new ArrayList<>();

  /** Runs and layers are written in {@code dir}, the new timeline's directory. */
  public ImportImages(Path dir, long lsn, long targetSize) {
    this.dir = dir;
    this.lsn = lsn;
    this.targetSize = targetSize;
  }

  public long lsn() {
    return lsn;
  }

  /** Spills a batch of images at the import LSN, in any key order; a key may come only once per import. */
  public void add(List<KeyValue> batch) throws IOException {
    if (batch.isEmpty()) return;
    List<KeyValue> sorted = new ArrayList<>(batch);
    sorted.sort(Comparator.comparing(KeyValue::key));
    Path run = dir.resolve("import-run-" + runs.size() + LayerWriter.TEMP_SUFFIX);
    runs.add(run);
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
      for (KeyValue kv : sorted) {
        if (kv.lsn() != lsn || !(kv.value() instanceof Value.Image image)) {
          throw new IllegalArgumentException("an import holds images at " + LayerName.hex(lsn) + " only, got " + kv);
        }
        out.write(kv.key().toBytes());
        out.writeInt(image.bytes().length);
        out.write(image.bytes());
      }
    }
  }

  /** Merges the runs into image layers over the whole key space (written, not yet listed anywhere); removes the runs. */
  public List<LayerFile> finish() throws IOException {
    List<LayerFile> written = new ArrayList<>();
    List<Run> open = new ArrayList<>();
    LayerWriter w = null;
    boolean ok = false;
    try {
      PriorityQueue<Run> heads = new PriorityQueue<>(Comparator.comparing((Run r) -> r.key));
      for (Path p : runs) {
        Run r = new Run(p);
        open.add(r);
        if (r.next()) heads.add(r);
      }
      Key from = Key.MIN;
      Key previous = null;
      while (!heads.isEmpty()) {
        Run r = heads.poll();
        if (r.key.equals(previous)) throw new IOException("key " + r.key + " was imported twice");
        if (w != null && w.bytesWritten() >= targetSize) {
          written.add(w.finish(new KeyRange(from, r.key)));
          w = null;
          from = r.key;
        }
        if (w == null) w = LayerWriter.image(dir, lsn);
        w.add(r.key, lsn, ValueFormat.encode(new Value.Image(r.value)), true);
        previous = r.key;
        if (r.next()) heads.add(r);
      }
      if (w == null) w = LayerWriter.image(dir, lsn);   // an empty import still says that nothing exists
      written.add(w.finish(new KeyRange(from, Key.MAX)));
      w = null;
      ok = true;
      return written;
    } finally {
      if (w != null) w.close();
      for (Run r : open) r.in.close();
      for (Path p : runs) Files.deleteIfExists(p);
      runs.clear();
      if (!ok) {
        for (LayerFile f : written) Files.deleteIfExists(f.path());
      }
    }
  }

  /** One spilled run, read a value at a time. */
  private static final class Run {
    final DataInputStream in;
    final byte[] keyBytes = new byte[Key.SIZE];
    Key key;
    byte[] value;

    Run(Path p) throws IOException {
      in = new DataInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16));
    }

    boolean next() throws IOException {
      try {
        in.readFully(keyBytes);
      } catch (EOFException end) {
        return false;
      }
      key = Key.decode(ByteBuffer.wrap(keyBytes));
      value = new byte[in.readInt()];
      in.readFully(value);
      return true;
    }
  }
}
