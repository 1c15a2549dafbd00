package store.layer;

import java.util.List;
import wire.keyspace.Key;
import wire.keyspace.Value;

/**
 * What the layers hold for one key as of an LSN: the versions newest first, down to and including
 * the first one that needs no older version (an image or an initialising record). Empty when the key
 * has no version at or below the LSN. {@code complete} is false when the oldest version found still
 * needs an older one that no layer has.
 */
public record ValueHistory(Key key, long lsn, List<Version> newestFirst, boolean complete) {
  public record Version(long lsn, Value value) {}

  public ValueHistory {
    newestFirst = List.copyOf(newestFirst);
  }

  public boolean isEmpty() {
    return newestFirst.isEmpty();
  }

  /** The newest version is an image: no redo needed. */
  public boolean isImage() {
    return !newestFirst.isEmpty() && newestFirst.get(0).value() instanceof Value.Image;
  }
}
