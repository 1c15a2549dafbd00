package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import store.layer.KeyRunReader;
import store.layer.TimelineLayers;
import wire.keyspace.Key;
import wire.pgdata.RelTag;

/**
 * {@link BlockRuns} of a timeline's layers: blocks that only an image layer holds are copied from
 * its mapping ({@link KeyRunReader}); the others go through {@code full}, the page-at-a-time path
 * with redo. One instance per basebackup: it plans against one snapshot of the layers.
 */
public final class LayerBlockRuns implements BlockRuns {
  private final KeyRunReader runs;
  private final PageReader full;
  private final long lsn;

  public LayerBlockRuns(TimelineLayers layers, long lsn, PageReader full) {
    this.runs = new KeyRunReader(layers, lsn);
    this.full = full;
    this.lsn = lsn;
  }

  @Override
  public void read(RelTag rel, int first, int count, PageSink sink) throws IOException {
    runs.read(Key.relBlock(rel, first), count, new KeyRunReader.Visitor() {
      @Override
      public void image(ByteBuffer page) throws IOException {
        sink.page(page);
      }

      @Override
      public void absent() throws IOException {
        sink.page(null);
      }

      @Override
      public void lookup(Key key) throws IOException {
        byte[] page = full.get(key, lsn);
        sink.page(page == null ? null : ByteBuffer.wrap(page));
      }
    });
  }
}
