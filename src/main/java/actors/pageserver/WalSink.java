package actors.pageserver;

import akka.util.ByteString;
import java.util.concurrent.CompletionStage;

/**
 * Where a {@link WalReceiver} puts the WAL it streams: the timeline's ingest, which the receiver
 * knows only through this interface. Up to {@link WalReceiver#MAX_IN_FLIGHT} calls are in flight
 * at a time, and the sink must ingest the chunks in call order; no more is read from the
 * safekeeper until the oldest returned stage completes, so a slow ingest slows the stream.
 *
 * <p>Within one connection the chunks are contiguous: each starts where the previous ended. A new
 * connection starts again at the timeline's last_record_lsn (8-aligned, moved past the page header
 * when it falls on a page boundary), which is a record start: a chunk that does not continue the
 * previous one means the sink drops any partial record it holds and decodes afresh from there.
 */
@FunctionalInterface
public interface WalSink {
  /**
   * Ingests WAL bytes starting at LSN {@code startLsn}. Completes when they are ingested (the
   * timeline's last_record_lsn reflects every whole record in them); fails when they cannot be.
   * Called on an actor thread: it must not block.
   */
  CompletionStage<Void> deliver(long startLsn, ByteString bytes);
}
