package wire.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import wire.WireFormatException;
import wire.xlog.Lsn;

/**
 * {@code global/pg_control} of PostgreSQL 15 on x86-64: the 296-byte {@code ControlFileData}
 * struct at the start of an 8192-byte file, zeros after it, and a CRC-32C over the struct up to
 * its {@code crc} field. Fields are grouped as pg_controldata prints them: the state and
 * checkpoint, the {@link Settings} that hot standbys must match, and the {@link Build} constants.
 */
public record ControlFile(
    long systemIdentifier,
    int pgControlVersion,
    int catalogVersionNo,
    DbState state,
    long time,
    Lsn checkPoint,
    CheckPoint checkPointCopy,
    Lsn unloggedLsn,
    Lsn minRecoveryPoint,
    int minRecoveryPointTli,
    Lsn backupStartPoint,
    Lsn backupEndPoint,
    boolean backupEndRequired,
    Settings settings,
    Build build,
    int dataChecksumVersion,
    byte[] mockAuthenticationNonce) {

  public static final int FILE_SIZE = 8192;
  public static final int STRUCT_SIZE = 296;
  public static final int PG_CONTROL_VERSION = 1300;
  public static final int NONCE_LENGTH = 32;
  private static final String FORMAT = "pg_control";

  // Offsets of ControlFileData (PG15, x86-64); the only place they appear.
  private static final int SYSTEM_IDENTIFIER = 0, CONTROL_VERSION = 8, CATALOG_VERSION = 12, STATE = 16, TIME = 24,
      CHECKPOINT = 32, CHECKPOINT_COPY = 40, UNLOGGED_LSN = 128, MIN_RECOVERY_POINT = 136, MIN_RECOVERY_TLI = 144,
      BACKUP_START = 152, BACKUP_END = 160, BACKUP_END_REQUIRED = 168, WAL_LEVEL = 172, WAL_LOG_HINTS = 176,
      MAX_CONNECTIONS = 180, MAX_WORKER_PROCESSES = 184, MAX_WAL_SENDERS = 188, MAX_PREPARED_XACTS = 192,
      MAX_LOCKS_PER_XACT = 196, TRACK_COMMIT_TIMESTAMP = 200, MAX_ALIGN = 204, FLOAT_FORMAT = 208, BLCKSZ = 216,
      RELSEG_SIZE = 220, XLOG_BLCKSZ = 224, XLOG_SEG_SIZE = 228, NAME_DATA_LEN = 232, INDEX_MAX_KEYS = 236,
      TOAST_MAX_CHUNK_SIZE = 240, LOBLKSIZE = 244, FLOAT8_BY_VAL = 248, DATA_CHECKSUM_VERSION = 252, NONCE = 256,
      CRC = 288;

  public ControlFile {
    if (mockAuthenticationNonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("mock_authentication_nonce must be " + NONCE_LENGTH + " bytes, got "
          + mockAuthenticationNonce.length);
    }
    mockAuthenticationNonce = mockAuthenticationNonce.clone();
  }

  @Override
  public byte[] mockAuthenticationNonce() {
    return mockAuthenticationNonce.clone();
  }

  /** pg_control's {@code DBState}, in the order of its numeric values. */
  public enum DbState {
    STARTUP, SHUTDOWNED, SHUTDOWNED_IN_RECOVERY, SHUTDOWNING, IN_CRASH_RECOVERY, IN_ARCHIVE_RECOVERY, IN_PRODUCTION
  }

  /** {@code wal_level} as stored (0 minimal, 1 replica, 2 logical). */
  public enum WalLevel {
    MINIMAL, REPLICA, LOGICAL
  }

  /** Server settings recorded because a hot standby needs values at least as large. */
  public record Settings(WalLevel walLevel, boolean walLogHints, int maxConnections, int maxWorkerProcesses,
      int maxWalSenders, int maxPreparedXacts, int maxLocksPerXact, boolean trackCommitTimestamp) {}

  /** Compile-time constants of the server that wrote the file. */
  public record Build(int maxAlign, double floatFormat, int blcksz, int relsegSize, int xlogBlcksz, int xlogSegSize,
      int nameDataLen, int indexMaxKeys, int toastMaxChunkSize, int loblksize, boolean float8ByVal) {}

  /**
   * Reads pg_control. The CRC is checked before any field is trusted; the version first, because a
   * CRC mismatch on a file of another version is the less useful message.
   */
  public static ControlFile decode(byte[] file) throws WireFormatException {
    if (file.length < STRUCT_SIZE) {
      throw new WireFormatException(FORMAT, "(file length)", file.length, "shorter than the " + STRUCT_SIZE + "-byte struct");
    }
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt(CONTROL_VERSION);
    if (version != PG_CONTROL_VERSION) {
      throw new WireFormatException(FORMAT, "pg_control_version", version, "expected " + PG_CONTROL_VERSION + " (PostgreSQL 15)");
    }
    int stored = b.getInt(CRC);
    int computed = crc(file);
    if (stored != computed) {
      throw new WireFormatException(FORMAT, "crc", hex(stored), "does not match the contents (computed " + hex(computed)
          + "): the file is corrupt or was written by another platform");
    }
    int state = b.getInt(STATE);
    if (state < 0 || state >= DbState.values().length) throw new WireFormatException(FORMAT, "state", state, "unknown DBState");
    int walLevel = b.getInt(WAL_LEVEL);
    if (walLevel < 0 || walLevel >= WalLevel.values().length) {
      throw new WireFormatException(FORMAT, "wal_level", walLevel, "unknown wal_level");
    }
    CheckPoint copy = CheckPoint.decode(b.duplicate().position(CHECKPOINT_COPY).order(ByteOrder.LITTLE_ENDIAN));
    Settings settings = new Settings(WalLevel.values()[walLevel], bool(b, WAL_LOG_HINTS, "wal_log_hints"),
        b.getInt(MAX_CONNECTIONS), b.getInt(MAX_WORKER_PROCESSES), b.getInt(MAX_WAL_SENDERS),
        b.getInt(MAX_PREPARED_XACTS), b.getInt(MAX_LOCKS_PER_XACT),
        bool(b, TRACK_COMMIT_TIMESTAMP, "track_commit_timestamp"));
    Build build = new Build(b.getInt(MAX_ALIGN), b.getDouble(FLOAT_FORMAT), b.getInt(BLCKSZ), b.getInt(RELSEG_SIZE),
        b.getInt(XLOG_BLCKSZ), b.getInt(XLOG_SEG_SIZE), b.getInt(NAME_DATA_LEN), b.getInt(INDEX_MAX_KEYS),
        b.getInt(TOAST_MAX_CHUNK_SIZE), b.getInt(LOBLKSIZE), bool(b, FLOAT8_BY_VAL, "float8ByVal"));
    return new ControlFile(b.getLong(SYSTEM_IDENTIFIER), version, b.getInt(CATALOG_VERSION), DbState.values()[state],
        b.getLong(TIME), new Lsn(b.getLong(CHECKPOINT)), copy, new Lsn(b.getLong(UNLOGGED_LSN)),
        new Lsn(b.getLong(MIN_RECOVERY_POINT)), b.getInt(MIN_RECOVERY_TLI), new Lsn(b.getLong(BACKUP_START)),
        new Lsn(b.getLong(BACKUP_END)), bool(b, BACKUP_END_REQUIRED, "backupEndRequired"), settings, build,
        b.getInt(DATA_CHECKSUM_VERSION), Arrays.copyOfRange(file, NONCE, NONCE + NONCE_LENGTH));
  }

  /** The 8192-byte file: struct, CRC, zero padding (as PostgreSQL writes it). */
  public byte[] encode() {
    byte[] file = new byte[FILE_SIZE];
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(SYSTEM_IDENTIFIER, systemIdentifier).putInt(CONTROL_VERSION, pgControlVersion)
        .putInt(CATALOG_VERSION, catalogVersionNo).putInt(STATE, state.ordinal()).putLong(TIME, time)
        .putLong(CHECKPOINT, checkPoint.value());
    checkPointCopy.encodeTo(b.duplicate().position(CHECKPOINT_COPY));
    b.putLong(UNLOGGED_LSN, unloggedLsn.value()).putLong(MIN_RECOVERY_POINT, minRecoveryPoint.value())
        .putInt(MIN_RECOVERY_TLI, minRecoveryPointTli).putLong(BACKUP_START, backupStartPoint.value())
        .putLong(BACKUP_END, backupEndPoint.value()).put(BACKUP_END_REQUIRED, flag(backupEndRequired));
    b.putInt(WAL_LEVEL, settings.walLevel().ordinal()).put(WAL_LOG_HINTS, flag(settings.walLogHints()))
        .putInt(MAX_CONNECTIONS, settings.maxConnections()).putInt(MAX_WORKER_PROCESSES, settings.maxWorkerProcesses())
        .putInt(MAX_WAL_SENDERS, settings.maxWalSenders()).putInt(MAX_PREPARED_XACTS, settings.maxPreparedXacts())
        .putInt(MAX_LOCKS_PER_XACT, settings.maxLocksPerXact())
        .put(TRACK_COMMIT_TIMESTAMP, flag(settings.trackCommitTimestamp()));
    b.putInt(MAX_ALIGN, build.maxAlign()).putDouble(FLOAT_FORMAT, build.floatFormat()).putInt(BLCKSZ, build.blcksz())
        .putInt(RELSEG_SIZE, build.relsegSize()).putInt(XLOG_BLCKSZ, build.xlogBlcksz())
        .putInt(XLOG_SEG_SIZE, build.xlogSegSize()).putInt(NAME_DATA_LEN, build.nameDataLen())
        .putInt(INDEX_MAX_KEYS, build.indexMaxKeys()).putInt(TOAST_MAX_CHUNK_SIZE, build.toastMaxChunkSize())
        .putInt(LOBLKSIZE, build.loblksize()).put(FLOAT8_BY_VAL, flag(build.float8ByVal()));
    b.putInt(DATA_CHECKSUM_VERSION, dataChecksumVersion);
    System.arraycopy(mockAuthenticationNonce, 0, file, NONCE, NONCE_LENGTH);
    b.putInt(CRC, crc(file));
    return file;
  }

  /**
   * The file as it must look for a vanilla server to start with no recovery from a shutdown
   * checkpoint record at {@code checkpoint.redo()} (start-at-lsn.md, recipe step 4).
   */
  public ControlFile shutDownAt(CheckPoint checkpoint) {
    return new ControlFile(systemIdentifier, pgControlVersion, catalogVersionNo, DbState.SHUTDOWNED, checkpoint.time(),
        checkpoint.redo(), checkpoint, unloggedLsn, Lsn.INVALID, 0, Lsn.INVALID, Lsn.INVALID, false, settings, build,
        dataChecksumVersion, mockAuthenticationNonce);
  }

  private static int crc(byte[] file) {
    CRC32C c = new CRC32C();
    c.update(file, 0, CRC);
    return (int) c.getValue();
  }

  private static boolean bool(ByteBuffer b, int offset, String field) throws WireFormatException {
    byte v = b.get(offset);
    if (v != 0 && v != 1) throw new WireFormatException(FORMAT, field, v, "a boolean must be 0 or 1");
    return v == 1;
  }

  private static byte flag(boolean v) {
    return (byte) (v ? 1 : 0);
  }

  private static String hex(int v) {
    return String.format("0x%08X", v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlFile c && Arrays.equals(encode(), c.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "ControlFile[system_identifier=" + Long.toUnsignedString(systemIdentifier) + ", state=" + state
        + ", checkPoint=" + checkPoint + ", checkPointCopy=" + checkPointCopy + ", minRecoveryPoint=" + minRecoveryPoint
        + ", settings=" + settings + ", build=" + build + ", data_checksum_version=" + dataChecksumVersion + "]";
  }
}
