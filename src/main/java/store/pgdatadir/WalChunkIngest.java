package store.pgdatadir;

import java.io.IOException;
import java.util.List;
import store.layer.KeyValue;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;

/**
 * WAL as it arrives, chunk by chunk, turned into stored page changes: each chunk goes into the
 * decoder, each whole record through {@link WalIngest} into one {@link DatadirModification}, and
 * the changes go to {@link Store} in batches. The timeline's ingest and the pageserver's warm-up
 * both run this loop, so the JIT compiles the very code real WAL takes before real WAL arrives.
 * One instance per stream: it holds the decoder's partial record and the modification's caches.
 */
public final class WalChunkIngest {
  /** Receives a batch, and the end and start of the last record it covers (visible once stored). */
  public interface Store {
    void store(List<KeyValue> values, long end, long prev);
  }

  private final WalDecoder decoder;
  private final WalIngest ingest;
  private final DatadirModification mod;
  private final Store store;
  private final int batchRecords;
  private final long batchBytes;
  private long end;
  private long prev;

  /**
   * {@code decoder} starts where {@code base} ends, at the record that starts at {@code end} and
   * follows the one at {@code prev}.
   */
  public WalChunkIngest(WalDecoder decoder, WalIngest ingest, Datadir base, long end, long prev, Store store, int batchRecords,
      long batchBytes) {
    this.decoder = decoder;
    this.ingest = ingest;
    this.store = store;
    this.batchRecords = batchRecords;
    this.batchBytes = batchBytes;
    this.end = end;
    this.prev = prev;
    // A FILE_COPY database creation reads pages back: what is pending is stored first.
    this.mod = new DatadirModification(base, values -> store.store(values, this.end, this.prev));
  }

  /** Where the next chunk must start. */
  public long fedUpTo() {
    return decoder.fedUpTo().value();
  }

  /** Ingests every record the chunk completes and stores them all; returns how many there were. */
  public long feed(byte[] chunk) throws IOException, WalFormatException, InvalidWalRecord {
    decoder.feed(chunk);
    long records = 0;
    int inBatch = 0;
    WalRecord rec;
    while ((rec = decoder.next()) != null) {
      ingest.ingest(rec, mod);
      end = rec.endLsnValue();
      prev = rec.lsnValue();
      records++;
      if (++inBatch >= batchRecords || mod.pendingBytes() > batchBytes) {
        store.store(mod.drain(), end, prev);
        inBatch = 0;
      }
    }
    if (inBatch > 0 || !mod.isEmpty()) store.store(mod.drain(), end, prev);
    return records;
  }
}
