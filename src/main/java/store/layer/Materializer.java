package store.layer;

import java.io.IOException;
import wire.keyspace.Key;

/** Reconstructs a key's value as of an LSN (history plus WAL redo), for image layer creation. */
@FunctionalInterface
public interface Materializer {
  /** The value's bytes, or null when the key does not exist at that LSN. */
  byte[] get(Key key, long lsn) throws IOException;
}
