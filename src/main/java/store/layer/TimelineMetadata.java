package store.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import store.DurableFile;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;

/**
 * A timeline's durable state (reference pageserver.md §1.2, §1.3) and the one truth about which
 * layer files make it up. Stored as {@code metadata} in the timeline directory, a {@link
 * DurableFile} (magic, version, CRC-32C, atomic replace, directory fsync) whose body is, big-endian:
 * {@code disk_consistent_lsn u64 | prev_record_lsn u64 | ancestor_timeline_id cstring ("" for none)
 * | ancestor_lsn u64 | latest_gc_cutoff_lsn u64 | initdb_lsn u64 | pg_version u32 | layer count u32 |
 * layer file names, cstrings}.
 *
 * @param ancestorTimelineId 32 hex digits, or null for a root timeline
 * @param layers the names of the layer files that exist ({@link LayerName})
 */
public record TimelineMetadata(long diskConsistentLsn, long prevRecordLsn, String ancestorTimelineId, long ancestorLsn,
    long latestGcCutoffLsn, long initdbLsn, int pgVersion, List<String> layers) {
  public static final String FILE_NAME = "metadata";
  private static final int MAGIC = 0x53544D44;   // "STMD"
  private static final int VERSION = 1;

  public TimelineMetadata {
    if (ancestorTimelineId != null && !ancestorTimelineId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("ancestor timeline id must be 32 lower-case hex digits: '" + ancestorTimelineId + "'");
    }
    layers = List.copyOf(layers);
    if (new HashSet<>(layers).size() != layers.size()) throw new IllegalArgumentException("layer listed twice: " + layers);
    for (String l : layers) LayerName.parse(l);
  }

  /** A new root timeline: nothing on disk yet. */
  public static TimelineMetadata root(long initdbLsn, int pgVersion) {
    return new TimelineMetadata(0, 0, null, 0, 0, initdbLsn, pgVersion, List.of());
  }

  /** A new branch of {@code ancestorTimelineId} at {@code ancestorLsn}: it starts consistent at the branch point. */
  public static TimelineMetadata branch(String ancestorTimelineId, long ancestorLsn, long prevRecordLsn, long initdbLsn, int pgVersion) {
    return new TimelineMetadata(ancestorLsn, prevRecordLsn, ancestorTimelineId, ancestorLsn, 0, initdbLsn, pgVersion, List.of());
  }

  public TimelineMetadata withLayers(List<String> newLayers) {
    return new TimelineMetadata(diskConsistentLsn, prevRecordLsn, ancestorTimelineId, ancestorLsn, latestGcCutoffLsn, initdbLsn,
        pgVersion, newLayers);
  }

  public TimelineMetadata withDiskConsistent(long lsn, long prev) {
    return new TimelineMetadata(lsn, prev, ancestorTimelineId, ancestorLsn, latestGcCutoffLsn, initdbLsn, pgVersion, layers);
  }

  public TimelineMetadata withGcCutoff(long cutoff) {
    return new TimelineMetadata(diskConsistentLsn, prevRecordLsn, ancestorTimelineId, ancestorLsn, cutoff, initdbLsn, pgVersion, layers);
  }

  /** Writes {@code dir/metadata} durably; when this returns a crash cannot lose it. */
  public void persist(Path dir) throws IOException {
    FieldWriter w = new FieldWriter().u64(diskConsistentLsn).u64(prevRecordLsn)
        .cstring(ancestorTimelineId == null ? "" : ancestorTimelineId).u64(ancestorLsn).u64(latestGcCutoffLsn).u64(initdbLsn)
        .u32(Integer.toUnsignedLong(pgVersion)).u32(layers.size());
    for (String l : layers) w.cstring(l);
    DurableFile.write(dir.resolve(FILE_NAME), MAGIC, VERSION, w.toByteArray());
  }

  /** Reads {@code dir/metadata}; a damaged file is a {@link DurableFile.CorruptFile} naming it and the problem. */
  public static TimelineMetadata load(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    byte[] body = DurableFile.read(file, MAGIC, VERSION);
    try {
      FieldReader r = FieldReader.bigEndian(FILE_NAME, ByteBuffer.wrap(body));
      long dcl = r.i64("disk_consistent_lsn"), prev = r.i64("prev_record_lsn");
      String ancestor = r.cstring("ancestor_timeline_id");
      long ancestorLsn = r.i64("ancestor_lsn"), gc = r.i64("latest_gc_cutoff_lsn"), initdb = r.i64("initdb_lsn");
      int pgVersion = (int) r.u32("pg_version");
      int n = r.count("layer count", 1);
      List<String> layers = new ArrayList<>(n);
      for (int i = 0; i < n; i++) layers.add(r.cstring("layer " + i));
      r.end();
      return new TimelineMetadata(dcl, prev, ancestor.isEmpty() ? null : ancestor, ancestorLsn, gc, initdb, pgVersion, layers);
    } catch (WireFormatException | IllegalArgumentException e) {
      throw new DurableFile.CorruptFile(file, e.getMessage());
    }
  }
}
