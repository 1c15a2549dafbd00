package store.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;
import wire.keyspace.Key;

/**
 * Reads runs of consecutive keys (a relation's blocks) of a timeline as of one LSN, for a
 * basebackup. A key whose search ({@link HistoryReader}) would end in an image layer without meeting
 * a version of the key on the way is read straight from that image's mapping, in key order, with
 * no history built; a key that has any version in an in-memory or delta layer the search passes is
 * handed back for the full lookup. So a page given out equals what {@link TimelineLayers#history}
 * and redo would make of it.
 *
 * <p>Built from one snapshot of each timeline's layer map, so a run is planned and read against the
 * same layers (mappings stay readable after compaction or GC unlinks a file). Any thread; one run at
 * a time per instance.
 */
public final class KeyRunReader {
  /** What a run gives, key by key in order. */
  public interface Visitor {
    /** The key's page, read from an image layer: a view that is valid only during the call. */
    void image(ByteBuffer page) throws IOException;

    /** The key has no version at the LSN. */
    void absent() throws IOException;

    /** The key needs the full lookup (history and redo). */
    void lookup(Key key) throws IOException;
  }

  /** One timeline of the chain: its layers as planned and the exclusive upper LSN of reads there. */
  private record Level(TimelineLayers timeline, LayerMap map, long cont, TreeSet<Key> inMemory) {}

  /** Keys [from, to) of a run (as offsets) that the image {@code image} answers, or nothing (null). */
  private record Piece(int from, int to, LayerFile image) {}

  private final List<Level> levels = new ArrayList<>();

  public KeyRunReader(TimelineLayers start, long lsn) {
    long cont = lsn == Long.MAX_VALUE ? lsn : lsn + 1;
    for (TimelineLayers t = start; t != null; t = t.ancestor()) {
      LayerMap map = t.layerMap();
      TreeSet<Key> inMemory = new TreeSet<>();
      if (map.open().startLsn() < cont) map.open().keysBelow(cont, inMemory);
      for (InMemoryLayer f : map.frozen()) {
        if (f.startLsn() < cont) f.keysBelow(cont, inMemory);
      }
      levels.add(new Level(t, map, cont, inMemory));
      if (t.ancestor() != null) cont = Math.min(cont, t.ancestorLsn() + 1);
    }
  }

  /**
   * Visits the {@code count} keys that follow {@code first} in its last field (block numbers
   * {@code first.f6() ...}), in order.
   */
  public void read(Key first, int count, Visitor v) throws IOException {
    if (count <= 0) return;
    if (Long.compareUnsigned(Integer.toUnsignedLong(first.f6()) + count, 0xFFFFFFFFL) > 0) {
      throw new IllegalArgumentException(count + " keys from " + first + " run past the last block number");
    }
    BitSet lookup = new BitSet(count);
    List<Piece> pieces = new ArrayList<>();
    plan(0, first, 0, count, levels.get(0).cont(), lookup, pieces);
    pieces.sort((a, b) -> Integer.compare(a.from(), b.from()));
    for (Piece p : pieces) visit(first, p, lookup, v);
  }

  /** Plans offsets [from, to) at level {@code li}, searching below {@code cont}. */
  private void plan(int li, Key first, int from, int to, long cont, BitSet lookup, List<Piece> out) throws IOException {
    Level level = levels.get(li);
    Key lo = keyAt(first, from), hi = keyAt(first, to);
    for (Key k : level.inMemory().subSet(lo, hi)) lookup.set(offsetOf(first, k.f6()));
    LayerMap map = level.map();
    // as HistoryReader: the in-memory layers searched lower the bound for the historic ones
    if (map.open().startLsn() < cont) cont = map.open().startLsn();
    List<InMemoryLayer> frozen = map.frozen();
    for (int i = frozen.size() - 1; i >= 0; i--) {
      if (frozen.get(i).startLsn() < cont) cont = frozen.get(i).startLsn();
    }
    List<HistoricIndex.Interval> intervals = map.index().intervals(new KeyRange(lo, hi));
    for (HistoricIndex.Interval in : intervals) {
      int a = Math.max(from, clampedOffset(first, in.keys().start(), from, to));
      int b = Math.min(to, clampedOffset(first, in.keys().end(), from, to));
      if (a < b) planInterval(li, first, a, b, in.layers(), cont, lookup, out);
    }
    // key space no historic layer covers: the search goes straight to the ancestor
    for (int[] g : gaps(first, from, to, intervals)) below(li, first, g[0], g[1], cont, lookup, out);
  }

  /** HistoryReader's historic loop for keys that meet no version above the image. */
  private void planInterval(int li, Key first, int from, int to, List<LayerFile> candidates, long cont, BitSet lookup, List<Piece> out)
      throws IOException {
    while (true) {
      LayerStep step = LayerStep.below(candidates, cont);
      if (step.none()) {
        below(li, first, from, to, cont, lookup, out);
        return;
      }
      LayerFile delta = step.delta(), image = step.image();
      if (step.endsAtImage(cont)) {
        out.add(new Piece(from, to, image));
        return;
      }
      long floor = step.floor();
      Key hi = keyAt(first, to);
      for (int i = delta.seek(keyAt(first, from)); i < delta.entryCount() && delta.compareKeyAt(i, hi) < 0; i++) {
        long lsn = delta.lsnAt(i);
        if (lsn >= floor && lsn < cont) lookup.set(offsetOf(first, delta.lastKeyFieldAt(i)));
      }
      cont = floor;
    }
  }

  /** Past the last layer of level {@code li}: the ancestor at its branch point, or nothing. */
  private void below(int li, Key first, int from, int to, long cont, BitSet lookup, List<Piece> out) throws IOException {
    Level level = levels.get(li);
    if (li + 1 < levels.size()) {
      plan(li + 1, first, from, to, Math.min(cont, level.timeline().ancestorLsn() + 1), lookup, out);
    } else {
      out.add(new Piece(from, to, null));
    }
  }

  private void visit(Key first, Piece p, BitSet lookup, Visitor v) throws IOException {
    LayerFile image = p.image();
    int i = image == null ? 0 : image.seek(keyAt(first, p.from()));
    for (int off = p.from(); off < p.to(); off++) {
      Key key = keyAt(first, off);
      if (lookup.get(off)) {
        v.lookup(key);
        continue;
      }
      if (image == null) {
        v.absent();
        continue;
      }
      while (i < image.entryCount() && image.compareKeyAt(i, key) < 0) i++;
      if (i < image.entryCount() && image.compareKeyAt(i, key) == 0) {
        ByteBuffer page = image.imageBytesAt(i);
        if (page != null) v.image(page);
        else v.lookup(key);   // not an image value: let the full path decide
      } else {
        v.absent();   // inside the image's range but not in it: the key does not exist there
      }
    }
  }

  /** Offsets of [from, to) that none of the intervals covers, as [start, end) pairs. */
  private static List<int[]> gaps(Key first, int from, int to, List<HistoricIndex.Interval> intervals) {
    List<int[]> out = new ArrayList<>();
    int at = from;
    for (HistoricIndex.Interval in : intervals) {   // in key order, not overlapping
      int a = Math.max(from, clampedOffset(first, in.keys().start(), from, to));
      int b = Math.min(to, clampedOffset(first, in.keys().end(), from, to));
      if (a >= b) continue;
      if (a > at) out.add(new int[] {at, a});
      at = Math.max(at, b);
    }
    if (at < to) out.add(new int[] {at, to});
    return out;
  }

  private static Key keyAt(Key first, int offset) {
    return new Key(first.f1(), first.f2(), first.f3(), first.f4(), first.f5(), first.f6() + offset);
  }

  private static int offsetOf(Key first, int f6) {
    return f6 - first.f6();
  }

  /** The offset in [from, to] where {@code bound} falls among the run's keys (the first key at or after it). */
  private static int clampedOffset(Key first, Key bound, int from, int to) {
    if (bound.compareTo(keyAt(first, from)) <= 0) return from;
    if (bound.compareTo(keyAt(first, to)) >= 0) return to;
    // same prefix as the run: the bound's block number
    return offsetOf(first, bound.f6());
  }
}
