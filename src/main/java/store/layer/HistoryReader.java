package store.layer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import wire.keyspace.Key;

/**
 * The search of reference pageserver.md §4.5/§4.6 for one key: newest first through the open layer,
 * the frozen layers and the historic layers, then into the ancestor at the branch point, until a
 * version that needs no older one. Reads only published snapshots; takes no locks.
 */
final class HistoryReader {
  private HistoryReader() {}

  static ValueHistory read(TimelineLayers start, Key key, long lsn) throws IOException {
    List<ValueHistory.Version> out = new ArrayList<>(4);
    long cont = lsn == Long.MAX_VALUE ? lsn : lsn + 1;   // exclusive upper bound of what is still to be searched
    for (TimelineLayers t = start; t != null; t = t.ancestor()) {
      long visible = t.lastRecordLsn() + 1;   // read before the map: whatever it shows up to here is in it
      LayerMap map = t.layerMap();

      InMemoryLayer open = map.open();
      if (open.startLsn() < cont) {
        if (open.collect(key, open.startLsn(), Math.min(cont, visible), out)) return done(key, lsn, out);
        cont = open.startLsn();
      }
      List<InMemoryLayer> frozen = map.frozen();
      for (int i = frozen.size() - 1; i >= 0; i--) {
        InMemoryLayer f = frozen.get(i);
        if (f.startLsn() >= cont) continue;
        if (f.collect(key, f.startLsn(), Math.min(cont, f.endLsn()), out)) return done(key, lsn, out);
        cont = f.startLsn();
      }

      HistoricIndex index = map.index();
      while (true) {
        LayerFile[] candidates = index.covering(key);
        LayerStep step = LayerStep.below(Arrays.asList(candidates), cont);
        if (step.none()) break;
        LayerFile delta = step.delta(), image = step.image();
        if (step.endsAtImage(cont)) {
          // an image at or above everything the delta has below cont: it ends the search either way
          if (image.collect(key, image.name().imageLsn(), cont, out)) return done(key, lsn, out);
          return result(key, lsn, out);   // inside the image's range but not in it: the key does not exist there
        }
        long floor = step.floor();
        if (delta.collect(key, floor, cont, out)) return done(key, lsn, out);
        cont = floor;
      }
      if (t.ancestor() != null) cont = Math.min(cont, t.ancestorLsn() + 1);   // the parent as of the branch point
    }
    return result(key, lsn, out);
  }

  private static ValueHistory done(Key key, long lsn, List<ValueHistory.Version> out) {
    return new ValueHistory(key, lsn, out, true);
  }

  /** Ran out of layers: complete only when nothing was found or the oldest found needs nothing older. */
  private static ValueHistory result(Key key, long lsn, List<ValueHistory.Version> out) {
    boolean complete = out.isEmpty() || out.get(out.size() - 1).value().willInit();
    return new ValueHistory(key, lsn, out, complete);
  }
}
