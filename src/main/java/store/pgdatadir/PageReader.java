package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import wire.keyspace.Key;

/**
 * Reads one key of a timeline as of an LSN, materialized: a page rebuilt by redo, a directory, a
 * size. Returns null when the key has no version at that LSN.
 */
@FunctionalInterface
public interface PageReader {
  byte[] get(Key key, long lsn) throws IOException;

  /** Runs of relation blocks at {@code lsn}; by default one {@link #get} per block. */
  default BlockRuns blockRuns(long lsn) {
    return (rel, first, count, sink) -> {
      for (int i = 0; i < count; i++) {
        byte[] page = get(Key.relBlock(rel, first + i), lsn);
        sink.page(page == null ? null : ByteBuffer.wrap(page));
      }
    };
  }
}
