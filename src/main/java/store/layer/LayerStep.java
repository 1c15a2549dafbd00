package store.layer;

import java.util.List;

/**
 * One step of the historic search below {@code cont} over the layers that cover a key (newest end
 * first): the newest delta that still has versions below {@code cont}, and an image that can end
 * the search. {@link HistoryReader} takes it for one key, {@link KeyRunReader} for a run of keys.
 */
record LayerStep(LayerFile delta, LayerFile image) {
  private static final LayerStep NONE = new LayerStep(null, null);

  static LayerStep below(List<LayerFile> newestEndFirst, long cont) {
    LayerFile delta = null, image = null;
    for (LayerFile f : newestEndFirst) {
      LayerName n = f.name();
      if (n.lsnStart() >= cont) continue;
      if (n.kind() == LayerKind.IMAGE) {
        image = f;
        break;
      }
      if (delta == null) {
        delta = f;
      } else if (n.lsnEnd() <= delta.name().lsnStart()) {
        break;   // anything further is below the delta; an image there cannot raise its floor
      }
    }
    return delta == null && image == null ? NONE : new LayerStep(delta, image);
  }

  /** No historic layer has anything below {@code cont}: the search goes on in the ancestor. */
  boolean none() {
    return delta == null && image == null;
  }

  /** The image is at or above everything the delta has below {@code cont}: it ends the search. */
  boolean endsAtImage(long cont) {
    return image != null && (delta == null || image.name().lsnEnd() >= Math.min(delta.name().lsnEnd(), cont));
  }

  /** The lowest LSN this step's delta gives versions from (above the image, when there is one). */
  long floor() {
    long floor = delta.name().lsnStart();
    return image != null ? Math.max(floor, image.name().imageLsn() + 1) : floor;
  }
}
