package store.pgdatadir;

import java.util.List;
import wire.pgdata.CheckPoint;
import wire.xlog.Lsn;

/**
 * What an import stored: every file as images at {@code initdbLsn} (the checkpoint's redo), then the
 * shutdown checkpoint record ingested, so the timeline continues at {@code lastRecordLsn} with
 * {@code prevRecordLsn} as the next record's xl_prev (pageserver.md §1.3, §1.4).
 *
 * @param logicalSizeBlocks relation blocks stored (the timeline's logical size in 8 KiB blocks)
 * @param checkpoint the tracked checkpoint after the record, as stored in the Checkpoint key
 * @param ignoredFiles files under global/ and base/ that are not relation forks nor known files, relative paths
 */
public record ImportResult(
    Lsn initdbLsn,
    Lsn lastRecordLsn,
    Lsn prevRecordLsn,
    int pgVersion,
    long systemId,
    long logicalSizeBlocks,
    CheckPoint checkpoint,
    int relationForks,
    int slruSegments,
    int twoPhaseFiles,
    long valuesWritten,
    List<String> ignoredFiles) {

  public ImportResult {
    ignoredFiles = List.copyOf(ignoredFiles);
  }

  public long logicalSizeBytes() {
    return logicalSizeBlocks * 8192;
  }
}
