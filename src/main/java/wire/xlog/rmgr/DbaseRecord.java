package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import java.util.List;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.XLogRecordFormat;

/**
 * CREATE DATABASE and DROP DATABASE (PostgreSQL 15). The FILE_COPY strategy copies the source
 * database's files, so storage must copy its pages; the WAL_LOG strategy logs every page itself.
 */
public sealed interface DbaseRecord {
  int CREATE_FILE_COPY = 0x00, CREATE_WAL_LOG = 0x10, DROP = 0x20;

  record CreateFileCopy(int dbId, int tablespaceId, int srcDbId, int srcTablespaceId) implements DbaseRecord {}

  record CreateWalLog(int dbId, int tablespaceId) implements DbaseRecord {}

  record Drop(int dbId, List<Integer> tablespaceIds) implements DbaseRecord {}

  static DbaseRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    return switch (op) {
      case CREATE_FILE_COPY -> {
        FieldReader r = FieldReader.littleEndian("DBASE CREATE_FILE_COPY", mainData);
        yield new CreateFileCopy(r.i32("db_id"), r.i32("tablespace_id"), r.i32("src_db_id"), r.i32("src_tablespace_id"));
      }
      case CREATE_WAL_LOG -> {
        FieldReader r = FieldReader.littleEndian("DBASE CREATE_WAL_LOG", mainData);
        yield new CreateWalLog(r.i32("db_id"), r.i32("tablespace_id"));
      }
      case DROP -> {
        FieldReader r = FieldReader.littleEndian("DBASE DROP", mainData);
        int dbId = r.i32("db_id");
        yield new Drop(dbId, Rmgr.u32s(r, "tablespace_ids", r.count("ntablespaces", 4)));
      }
      default -> throw new WireFormatException("DBASE", "info", String.format("0x%02X", info), "unknown database record type");
    };
  }
}
