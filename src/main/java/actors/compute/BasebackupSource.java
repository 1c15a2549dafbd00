package actors.compute;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * Where a compute's data directory comes from: the pageserver ({@link PageserverClient}), or in
 * tests any other source of a PGDATA tar.
 */
public interface BasebackupSource {
  /** How far the timeline's WAL has been ingested now (the pageserver's {@code last_record_lsn}). */
  CompletionStage<Lsn> lastRecordLsn(String tenantId, String timelineId);

  /**
   * Opens a tar stream of the data directory as of {@code lsn}; {@code readOnly} asks for a
   * static (hot standby) compute's backup. Blocking; the caller reads it to the end and closes it.
   * A failure the server reports after the tar (or midway) surfaces as an IOException from read.
   */
  InputStream open(String tenantId, String timelineId, Lsn lsn, boolean readOnly) throws IOException;
}
