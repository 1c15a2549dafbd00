package store.layer;

/** A delta layer holds versions over an LSN range; an image layer holds every existing key at one LSN. */
public enum LayerKind {
  DELTA, IMAGE
}
