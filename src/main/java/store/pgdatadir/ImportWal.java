package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import store.layer.KeyValue;
import store.pgdatadir.ImportRefused.Reason;
import wire.pgdata.CheckPoint;
import wire.pgdata.ControlFile;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.XlogRecord;

/**
 * The WAL half of an import: reads the shutdown checkpoint record at pg_control's checkpoint
 * location from pg_wal and ingests it over the imported metadata, as Neon's bootstrap does. That
 * record stamps the Checkpoint key with the clean-shutdown convention and gives the timeline a
 * last record LSN (its end) and a prev LSN (its start).
 */
final class ImportWal {
  private static final int CHUNK = 64 * 1024;

  /** The record ingested, the values it produced and what ingest tracks after it. */
  record Ingested(Lsn start, Lsn end, long values, long logicalSizeBlocks, CheckPoint checkpoint) {}

  private ImportWal() {}

  static Ingested ingestShutdownCheckpoint(Path dataDir, ControlFile control, ImportWriter imported)
      throws IOException, ImportRefused {
    Lsn at = control.checkPoint();
    long segmentSize = Integer.toUnsignedLong(control.build().xlogSegSize());
    int timeline = control.checkPointCopy().thisTimeLineId();
    WalRecord rec = readRecordAt(dataDir, at, segmentSize, timeline, control.systemIdentifier());
    if (rec.rmgr() != RmgrId.XLOG || rec.rmgrInfo() != XlogRecord.CHECKPOINT_SHUTDOWN) {
      throw new ImportRefused(Reason.NOT_SHUT_DOWN_CLEANLY, dataDir, "the record at " + at + " is " + rec.rmgrName()
          + String.format(" info=0x%02X", rec.info()) + ", not a shutdown checkpoint");
    }
    long redo = control.checkPointCopy().redo().value();
    DatadirModification m = new DatadirModification(new Datadir(imported.metadataReader(), redo));
    WalIngest ingest = new WalIngest(control.checkPointCopy(), imported.relationBlocks());
    try {
      ingest.ingest(rec, m);
    } catch (InvalidWalRecord e) {
      throw new ImportRefused(Reason.CORRUPT, dataDir, e.getMessage());
    }
    List<KeyValue> values = m.drain();
    imported.sinkDirect(values);
    return new Ingested(rec.lsn(), rec.endLsn(), values.size(), ingest.logicalSizeBlocks(), ingest.checkpoint());
  }

  /** Decodes the one record starting at {@code at}, reading on into the next segment if it crosses. */
  private static WalRecord readRecordAt(Path dataDir, Lsn at, long segmentSize, int timeline, long systemId)
      throws IOException, ImportRefused {
    WalDecoder decoder = WalDecoder.startingAt(at, segmentSize).expectSystemId(systemId);
    long pos = at.value();
    try {
      while (true) {
        Path seg = segmentFile(dataDir, Lsn.of(pos), segmentSize, timeline);
        if (!Files.isRegularFile(seg)) {
          throw new ImportRefused(Reason.CORRUPT, dataDir, "pg_wal/" + seg.getFileName() + " holding the checkpoint record at "
              + at + " is missing");
        }
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
          long offset = Lsn.of(pos).segmentOffset(segmentSize);
          while (offset < segmentSize) {
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, segmentSize - offset));
            while (chunk.hasRemaining()) {
              if (ch.read(chunk, offset + chunk.position()) < 0) {
                throw new ImportRefused(Reason.CORRUPT, dataDir, "pg_wal/" + seg.getFileName() + " ends at offset "
                    + (offset + chunk.position()) + " before the checkpoint record at " + at + " does");
              }
            }
            decoder.feed(chunk.flip());
            offset += chunk.limit();
            pos += chunk.limit();
            WalRecord rec = decoder.next();
            if (rec != null) return rec;
          }
        }
      }
    } catch (WalFormatException e) {
      throw new ImportRefused(Reason.CORRUPT, dataDir, "the checkpoint record at " + at + " cannot be read: " + e.getMessage());
    }
  }

  static Path segmentFile(Path dataDir, Lsn lsn, long segmentSize, int timeline) {
    return dataDir.resolve("pg_wal").resolve(lsn.segmentFileName(timeline, segmentSize));
  }
}
