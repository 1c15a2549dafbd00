package store.layer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import wire.keyspace.Key;

/**
 * The keys that exist at one LSN, as sorted, non-overlapping ranges (adjacent ones merged), and its
 * cut into partitions that tile the whole key space, each holding about a target number of bytes of
 * existing keys (reference pageserver.md §4.7, "repartition"). Image layers are written per partition.
 */
public final class KeySpace {
  private final List<KeyRange> ranges;

  private KeySpace(List<KeyRange> sortedMerged) {
    this.ranges = List.copyOf(sortedMerged);
  }

  /** Builds a key space from ranges in any order; overlapping or touching ranges are merged. */
  public static KeySpace of(List<KeyRange> ranges) {
    List<KeyRange> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(KeyRange::start));
    List<KeyRange> out = new ArrayList<>();
    for (KeyRange r : sorted) {
      KeyRange last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r.start().compareTo(last.end()) <= 0 && samePrefix(last.start(), r.start())) {
        if (r.end().compareTo(last.end()) > 0) out.set(out.size() - 1, new KeyRange(last.start(), r.end()));
      } else {
        out.add(r);
      }
    }
    return new KeySpace(out);
  }

  public List<KeyRange> ranges() {
    return ranges;
  }

  /** Number of keys in all ranges. */
  public long keyCount() {
    long n = 0;
    for (KeyRange r : ranges) n += count(r);
    return n;
  }

  /** The parts of this key space inside {@code partition}. */
  public List<KeyRange> within(KeyRange partition) {
    List<KeyRange> out = new ArrayList<>();
    for (KeyRange r : ranges) {
      if (!r.overlaps(partition)) continue;
      Key s = r.start().compareTo(partition.start()) >= 0 ? r.start() : partition.start();
      Key e = r.end().compareTo(partition.end()) <= 0 ? r.end() : partition.end();
      out.add(new KeyRange(s, e));
    }
    return out;
  }

  /**
   * Partitions from Key.MIN to Key.MAX, cut before the key at which the existing keys of the current
   * partition (each counted as one page) reach {@code targetBytes}. An empty key space is one partition.
   */
  public List<KeyRange> partition(long targetBytes) {
    long perPartition = Math.max(1, targetBytes / 8192);
    List<Key> cuts = new ArrayList<>();
    long inCurrent = 0;
    for (KeyRange r : ranges) {
      Key pos = r.start();
      long left = count(r);
      while (left > 0) {
        if (inCurrent >= perPartition) {
          cuts.add(pos);
          inCurrent = 0;
        }
        long take = Math.min(left, perPartition - inCurrent);
        if (take < left && !samePrefix(pos, r.end())) take = left;   // only dense runs of one prefix are cut inside
        inCurrent += take;
        left -= take;
        if (left > 0) pos = withF6(pos, pos.f6() + (int) take);
      }
    }
    List<KeyRange> out = new ArrayList<>();
    Key from = Key.MIN;
    for (Key c : cuts) {
      if (c.compareTo(from) > 0) {
        out.add(new KeyRange(from, c));
        from = c;
      }
    }
    out.add(new KeyRange(from, Key.MAX));
    return out;
  }

  /** Keys in a range: the f6 distance when only f6 differs, else counted one by one (such ranges are a few keys). */
  static long count(KeyRange r) {
    if (samePrefix(r.start(), r.end())) return Integer.toUnsignedLong(r.end().f6()) - Integer.toUnsignedLong(r.start().f6());
    long n = 0;
    for (Key k = r.start(); k.compareTo(r.end()) < 0; k = k.next()) n++;
    return n;
  }

  private static boolean samePrefix(Key a, Key b) {
    return a.f1() == b.f1() && a.f2() == b.f2() && a.f3() == b.f3() && a.f4() == b.f4() && a.f5() == b.f5();
  }

  private static Key withF6(Key k, int f6) {
    return new Key(k.f1(), k.f2(), k.f3(), k.f4(), k.f5(), f6);
  }

  @Override
  public String toString() {
    return ranges.toString();
  }
}
