package store.layer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * The open layer: versions since {@code startLsn}, kept encoded in a {@link ValueArena}. One writer
 * thread appends (each key's LSNs ascending); any number of readers read at the same time without
 * locks. Each key's versions are append-only arrays (LSN, value location and length, will-init)
 * published through volatile fields: a reader takes the count, then the arrays, and sees every
 * version below that count. Frozen ({@link #freeze}) it takes no more writes and waits to be
 * written as an L0 delta.
 */
public final class InMemoryLayer {
  /** Bytes counted per version besides its value: key, LSN, references. */
  private static final int VERSION_OVERHEAD = 48;
  /** ValueFormat's first byte is the variant's tag: this one marks an image. */
  private static final byte IMAGE_TAG = ValueFormat.encode(new Value.Image(new byte[0]))[0];

  private final long startLsn;
  private final ValueArena arena = new ValueArena();
  private final ConcurrentHashMap<Key, Versions> byKey = new ConcurrentHashMap<>();
  private volatile long bytes;
  private volatile long endLsn = Long.MAX_VALUE;
  private volatile long prevRecordLsn;
  private long maxLsn = -1;
  private int versions;

  public InMemoryLayer(long startLsn) {
    this.startLsn = startLsn;
  }

  public long startLsn() {
    return startLsn;
  }

  /** {@code Long.MAX_VALUE} while open; then the frozen end: last record LSN + 1. */
  public long endLsn() {
    return endLsn;
  }

  /** The prev record LSN when the layer was frozen. */
  public long prevRecordLsn() {
    return prevRecordLsn;
  }

  public boolean isFrozen() {
    return endLsn != Long.MAX_VALUE;
  }

  /** Approximate heap bytes held: encoded values plus a fixed overhead per version. */
  public long bytes() {
    return bytes;
  }

  public boolean isEmpty() {
    return versions == 0;
  }

  /** The highest LSN put, or -1. Writer thread only. */
  long maxLsn() {
    return maxLsn;
  }

  /** Appends one version. Writer thread only. */
  void put(Key key, long lsn, Value value) {
    if (isFrozen()) throw new IllegalStateException("layer starting at " + LayerName.hex(startLsn) + " is frozen");
    if (lsn < startLsn) {
      throw new IllegalArgumentException("LSN " + LayerName.hex(lsn) + " of key " + key + " is below the open layer's start "
          + LayerName.hex(startLsn));
    }
    if (key.equals(Key.MAX)) throw new IllegalArgumentException("Key.MAX is a range bound, not a key");
    Versions v = byKey.get(key);
    if (v == null) {
      v = new Versions();
      byKey.put(key, v);
    }
    v.checkAscending(key, lsn);
    int length = ValueFormat.encodedLength(value);
    v.append(lsn, arena.append(value, length), length, value.willInit());
    maxLsn = Math.max(maxLsn, lsn);
    versions++;
    bytes = bytes + length + VERSION_OVERHEAD;
  }

  /** Freezes the layer at {@code endLsn} (exclusive). Writer thread only. */
  void freeze(long endLsn, long prevRecordLsn) {
    if (endLsn <= startLsn) throw new IllegalArgumentException("freeze at " + LayerName.hex(endLsn) + " below start " + LayerName.hex(startLsn));
    if (maxLsn >= endLsn) {
      throw new IllegalStateException("values up to " + LayerName.hex(maxLsn) + " are put but the layer freezes at " + LayerName.hex(endLsn));
    }
    this.prevRecordLsn = prevRecordLsn;
    this.endLsn = endLsn;
  }

  /** Like {@link LayerFile#collect}: versions of {@code key} in {@code [floor, cont)}, newest first. */
  public boolean collect(Key key, long floor, long cont, List<ValueHistory.Version> out) throws IOException {
    Versions v = byKey.get(key);
    return v != null && v.collect(arena, floor, cont, out);
  }

  /** Adds to {@code out} every key with a version below {@code cont}. */
  void keysBelow(long cont, java.util.Collection<Key> out) {
    for (Map.Entry<Key, Versions> e : byKey.entrySet()) {
      Versions v = e.getValue();
      if (v.count > 0 && v.slab.lsns[0] < cont) out.add(e.getKey());
    }
  }

  /** Writes every version in (key, lsn) order. Only for a frozen layer, whose contents no longer change. */
  void writeTo(LayerWriter w) throws IOException {
    if (!isFrozen()) throw new IllegalStateException("only a frozen layer is written out");
    List<Key> keys = new ArrayList<>(byKey.keySet());
    keys.sort(null);
    for (Key k : keys) byKey.get(k).writeTo(arena, k, w);
  }

  /** True when every version is an image at {@code lsn}: an import, which can be written as an image layer. */
  boolean onlyImagesAt(long lsn) {
    if (versions == 0) return false;
    for (Versions v : byKey.values()) {
      if (!v.onlyImagesAt(arena, lsn)) return false;
    }
    return true;
  }

  private static final class Versions {
    private record Slab(long[] lsns, long[] locations, int[] lengths, boolean[] willInit) {
      Slab(int cap) {
        this(new long[cap], new long[cap], new int[cap], new boolean[cap]);
      }

      Slab grown(int cap) {
        return new Slab(Arrays.copyOf(lsns, cap), Arrays.copyOf(locations, cap), Arrays.copyOf(lengths, cap),
            Arrays.copyOf(willInit, cap));
      }
    }

    private volatile Slab slab = new Slab(2);
    private volatile int count;

    void checkAscending(Key key, long lsn) {
      int n = count;
      Slab s = slab;
      if (n > 0 && lsn <= s.lsns[n - 1]) {
        throw new IllegalArgumentException("LSN " + LayerName.hex(lsn) + " of key " + key + " is not above its previous version at "
            + LayerName.hex(s.lsns[n - 1]));
      }
    }

    void append(long lsn, long location, int length, boolean willInit) {
      int n = count;
      Slab s = slab;
      if (n == s.lsns.length) s = s.grown(n * 2);
      s.lsns[n] = lsn;
      s.locations[n] = location;
      s.lengths[n] = length;
      s.willInit[n] = willInit;
      slab = s;
      count = n + 1;   // publishes the version: a reader reads count before slab
    }

    boolean collect(ValueArena arena, long floor, long cont, List<ValueHistory.Version> out) {
      int n = count;
      Slab s = slab;
      int i = Arrays.binarySearch(s.lsns, 0, n, cont);
      i = i >= 0 ? i - 1 : -i - 2;   // the last version below cont
      for (; i >= 0 && s.lsns[i] >= floor; i--) {
        out.add(new ValueHistory.Version(s.lsns[i], ValueFormat.decode(arena.value(s.locations[i], s.lengths[i]))));
        if (s.willInit[i]) return true;
      }
      return false;
    }

    void writeTo(ValueArena arena, Key key, LayerWriter w) throws IOException {
      int n = count;
      Slab s = slab;
      for (int i = 0; i < n; i++) w.add(key, s.lsns[i], arena.value(s.locations[i], s.lengths[i]), s.willInit[i]);
    }

    boolean onlyImagesAt(ValueArena arena, long lsn) {
      int n = count;
      Slab s = slab;
      for (int i = 0; i < n; i++) {
        if (s.lsns[i] != lsn || arena.firstByte(s.locations[i]) != IMAGE_TAG) return false;
      }
      return true;
    }
  }
}
