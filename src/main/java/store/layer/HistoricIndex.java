package store.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import wire.keyspace.Key;

/**
 * Which historic layers cover a key. The key space is cut at every layer's key bounds into
 * elementary intervals; each interval lists the layers covering all of it, newest end LSN first
 * (an image before a delta ending at the same LSN). Built once per layer map change, then read by
 * any number of threads.
 */
final class HistoricIndex {
  static final HistoricIndex EMPTY = new HistoricIndex(new Key[0], new LayerFile[0][]);

  /** Newest end first; on a tie the image, which answers without going deeper. */
  static final Comparator<LayerFile> NEWEST_FIRST = Comparator.<LayerFile>comparingLong(f -> f.name().lsnEnd()).reversed()
      .thenComparing(f -> f.name().kind() == LayerKind.IMAGE ? 0 : 1)
      .thenComparing(Comparator.<LayerFile>comparingLong(f -> f.name().lsnStart()).reversed());

  private final Key[] bounds;
  private final LayerFile[][] covering;

  private HistoricIndex(Key[] bounds, LayerFile[][] covering) {
    this.bounds = bounds;
    this.covering = covering;
  }

  static HistoricIndex build(List<LayerFile> layers) {
    if (layers.isEmpty()) return EMPTY;
    TreeSet<Key> cuts = new TreeSet<>();
    for (LayerFile f : layers) {
      cuts.add(f.name().keys().start());
      cuts.add(f.name().keys().end());
    }
    Key[] bounds = cuts.toArray(new Key[0]);
    List<List<LayerFile>> lists = new ArrayList<>();
    for (int i = 0; i + 1 < bounds.length; i++) lists.add(new ArrayList<>());
    for (LayerFile f : layers) {
      int from = Arrays.binarySearch(bounds, f.name().keys().start());
      int to = Arrays.binarySearch(bounds, f.name().keys().end());
      for (int i = from; i < to; i++) lists.get(i).add(f);
    }
    LayerFile[][] covering = new LayerFile[lists.size()][];
    for (int i = 0; i < covering.length; i++) {
      lists.get(i).sort(NEWEST_FIRST);
      covering[i] = lists.get(i).toArray(new LayerFile[0]);
    }
    return new HistoricIndex(bounds, covering);
  }

  private static final LayerFile[] NONE = new LayerFile[0];

  /** The layers whose key range holds {@code key}, newest first. */
  LayerFile[] covering(Key key) {
    int i = Arrays.binarySearch(bounds, key);
    if (i < 0) i = -i - 2;   // the interval starting at the last bound below the key
    return i < 0 || i >= covering.length ? NONE : covering[i];
  }

  /** The elementary intervals overlapping {@code range}, each with its covering layers. */
  List<Interval> intervals(KeyRange range) {
    List<Interval> out = new ArrayList<>();
    for (int i = 0; i < covering.length; i++) {
      KeyRange r = new KeyRange(bounds[i], bounds[i + 1]);
      if (r.overlaps(range)) out.add(new Interval(r, List.of(covering[i])));
    }
    return out;
  }

  record Interval(KeyRange keys, List<LayerFile> layers) {}
}
