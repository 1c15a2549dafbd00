package store.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import store.DurableFile;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/**
 * {@code safekeeper.control}: an {@link AcceptorState} in a {@link DurableFile} (magic, version,
 * CRC-32C, atomic replacement). Body fields are big-endian; ids are 32-character hex strings.
 */
public final class ControlFileStore {
  public static final String FILE_NAME = "safekeeper.control";
  private static final int MAGIC = 0x534B4346;   // "SKCF"
  private static final int VERSION = 1;

  private ControlFileStore() {}

  public static boolean exists(Path timelineDir) {
    return Files.exists(timelineDir.resolve(FILE_NAME));
  }

  /** Writes the state durably; when this returns, a crash cannot lose it. */
  public static void persist(Path timelineDir, AcceptorState s) throws IOException {
    FieldWriter w = new FieldWriter()
        .cstring(s.tenantId()).cstring(s.timelineId())
        .u64(s.term());
    s.termHistory().encodeTo(w);
    w.u32(Integer.toUnsignedLong(s.pgVersion())).u64(s.systemId()).u32(Integer.toUnsignedLong(s.walSegSize()))
        .u64(s.timelineStartLsn().value()).u64(s.localStartLsn().value()).u64(s.commitLsn().value())
        .u64(s.backupLsn().value()).u64(s.peerHorizonLsn().value()).u64(s.remoteConsistentLsn().value())
        .u64(s.createdAtMillis());
    DurableFile.write(timelineDir.resolve(FILE_NAME), MAGIC, VERSION, w.toByteArray());
  }

  /** Reads the state; a damaged file is a {@link DurableFile.CorruptFile} naming the file and the problem. */
  public static AcceptorState load(Path timelineDir) throws IOException {
    Path file = timelineDir.resolve(FILE_NAME);
    byte[] body = DurableFile.read(file, MAGIC, VERSION);
    try {
      FieldReader r = FieldReader.bigEndian(FILE_NAME, ByteBuffer.wrap(body));
      AcceptorState s = new AcceptorState(
          r.cstring("tenant_id"), r.cstring("timeline_id"), r.i64("term"), TermHistory.decode(r),
          (int) r.u32("pg_version"), r.i64("system_id"), (int) r.u32("wal_seg_size"),
          lsn(r, "timeline_start_lsn"), lsn(r, "local_start_lsn"), lsn(r, "commit_lsn"), lsn(r, "backup_lsn"),
          lsn(r, "peer_horizon_lsn"), lsn(r, "remote_consistent_lsn"), r.i64("created_at"));
      r.end();
      return s;
    } catch (WireFormatException | IllegalArgumentException e) {
      throw new DurableFile.CorruptFile(file, e.getMessage());
    }
  }

  private static Lsn lsn(FieldReader r, String field) throws WireFormatException {
    return new Lsn(r.i64(field));
  }

}
