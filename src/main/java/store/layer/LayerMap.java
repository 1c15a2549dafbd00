package store.layer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One immutable view of a timeline's layers: the open in-memory layer, the frozen ones waiting for
 * flush (oldest first), and the historic layer files with their key index. Every change makes a new
 * map, which the owner publishes with one volatile write, so readers never lock against flush,
 * compaction or GC.
 */
public final class LayerMap {
  private final InMemoryLayer open;
  private final List<InMemoryLayer> frozen;
  private final List<LayerFile> historic;
  private final HistoricIndex index;

  LayerMap(InMemoryLayer open, List<InMemoryLayer> frozen, List<LayerFile> historic) {
    this.open = open;
    this.frozen = List.copyOf(frozen);
    List<LayerFile> sorted = new ArrayList<>(historic);
    sorted.sort(Comparator.comparingLong((LayerFile f) -> f.name().lsnStart()).thenComparing(f -> f.name().keys().start()));
    this.historic = List.copyOf(sorted);
    this.index = HistoricIndex.build(this.historic);
  }

  private LayerMap(InMemoryLayer open, List<InMemoryLayer> frozen, LayerMap same) {
    this.open = open;
    this.frozen = List.copyOf(frozen);
    this.historic = same.historic;
    this.index = same.index;
  }

  public InMemoryLayer open() {
    return open;
  }

  /** Frozen in-memory layers, oldest first. */
  public List<InMemoryLayer> frozen() {
    return frozen;
  }

  /** Historic layer files, by LSN start then key start. */
  public List<LayerFile> historic() {
    return historic;
  }

  HistoricIndex index() {
    return index;
  }

  /** L0 deltas, oldest first. */
  public List<LayerFile> l0() {
    List<LayerFile> out = new ArrayList<>();
    for (LayerFile f : historic) if (f.name().isL0()) out.add(f);
    return out;
  }

  /** The open layer is frozen and {@code next} opened. */
  LayerMap frozeOpen(InMemoryLayer next) {
    List<InMemoryLayer> f = new ArrayList<>(frozen);
    f.add(open);
    return new LayerMap(next, f, this);
  }

  /** The oldest frozen layer became {@code written} (null when it held nothing). */
  LayerMap flushed(InMemoryLayer layer, LayerFile written) {
    if (frozen.isEmpty() || frozen.get(0) != layer) throw new IllegalStateException("only the oldest frozen layer is flushed");
    if (written == null) return new LayerMap(open, frozen.subList(1, frozen.size()), this);
    List<LayerFile> h = new ArrayList<>(historic);
    h.add(written);
    return new LayerMap(open, frozen.subList(1, frozen.size()), h);
  }

  /** Historic layers replaced: compaction, image creation, GC. */
  LayerMap replaced(Collection<LayerFile> removed, Collection<LayerFile> added) {
    Set<LayerFile> gone = new HashSet<>(removed);
    List<LayerFile> h = new ArrayList<>();
    for (LayerFile f : historic) if (!gone.contains(f)) h.add(f);
    if (h.size() != historic.size() - gone.size()) throw new IllegalStateException("removing layers that are not in the map: " + removed);
    h.addAll(added);
    return new LayerMap(open, frozen, h);
  }
}
