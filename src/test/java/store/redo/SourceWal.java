package store.redo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;

/** Test helper: decodes the WAL a real PostgreSQL wrote between two LSNs, straight from its pg_wal. */
final class SourceWal {
  private static final long SEGMENT = Lsn.DEFAULT_SEGMENT_SIZE;

  private SourceWal() {}

  /** Every record starting in [start, end); the segments must still be in pg_wal (set wal_keep_size). */
  static List<WalRecord> decode(Path pgWal, Lsn start, Lsn end) throws IOException, WalFormatException {
    long firstSegment = start.value() / SEGMENT;
    WalDecoder decoder = WalDecoder.startingAt(Lsn.of(firstSegment * SEGMENT), SEGMENT).skipRecordsBefore(start);
    List<WalRecord> out = new ArrayList<>();
    for (long seg = firstSegment; seg * SEGMENT < end.value(); seg++) {
      byte[] bytes = Files.readAllBytes(pgWal.resolve(segmentName(seg)));
      // Past the flushed end the segment holds zeros (or recycled WAL), which is no record.
      int usable = (int) Math.min(bytes.length, end.value() - seg * SEGMENT);
      decoder.feed(java.nio.ByteBuffer.wrap(bytes, 0, usable));
      for (WalRecord r; (r = decoder.next()) != null; ) {
        if (r.lsn().compareTo(end) >= 0) return out;
        out.add(r);
      }
    }
    return out;
  }

  private static String segmentName(long segment) {
    long perId = 0x1_0000_0000L / SEGMENT;
    return String.format("%08X%08X%08X", 1, segment / perId, segment % perId);
  }
}
