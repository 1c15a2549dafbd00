package store.pgdatadir;

import java.io.IOException;
import wire.keyspace.Key;

/**
 * Reads one key of a timeline as of an LSN, materialized: a page rebuilt by redo, a directory, a
 * size. Returns null when the key has no version at that LSN.
 */
@FunctionalInterface
public interface PageReader {
  byte[] get(Key key, long lsn) throws IOException;
}
