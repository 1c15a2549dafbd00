package store.layer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import wire.keyspace.Key;

/**
 * Which historic layers garbage collection may remove (reference pageserver.md §4.8): a layer goes
 * only when it ends at or below the cutoff, starts above every retained LSN (branch points), and
 * image layers with LSNs in {@code [layer end, cutoff)} together cover its whole key range, so no
 * read at or above the cutoff can reach it.
 */
final class GcPlanner {
  private GcPlanner() {}

  static List<LayerFile> removable(List<LayerFile> historic, long cutoff, List<Long> retainLsns) {
    long maxRetain = -1;
    for (long r : retainLsns) maxRetain = Math.max(maxRetain, r);
    List<LayerFile> out = new ArrayList<>();
    for (LayerFile f : historic) {
      LayerName n = f.name();
      if (n.lsnEnd() > cutoff || n.lsnStart() <= maxRetain) continue;
      List<KeyRange> images = new ArrayList<>();
      for (LayerFile g : historic) {
        LayerName gn = g.name();
        if (gn.kind() == LayerKind.IMAGE && gn.imageLsn() >= n.lsnEnd() && gn.imageLsn() < cutoff && gn.keys().overlaps(n.keys())) {
          images.add(gn.keys());
        }
      }
      if (covers(images, n.keys())) out.add(f);
    }
    return out;
  }

  /** True when the union of {@code parts} holds every key of {@code range}. */
  static boolean covers(List<KeyRange> parts, KeyRange range) {
    parts.sort(Comparator.comparing(KeyRange::start));
    Key reached = range.start();
    for (KeyRange p : parts) {
      if (p.start().compareTo(reached) > 0) break;   // a gap
      if (p.end().compareTo(reached) > 0) reached = p.end();
      if (reached.compareTo(range.end()) >= 0) return true;
    }
    return reached.compareTo(range.end()) >= 0;
  }
}
