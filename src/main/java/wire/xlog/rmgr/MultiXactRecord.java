package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import wire.FieldReader;
import wire.WireFormatException;
import wire.xlog.XLogRecordFormat;

/** pg_multixact records: pages zeroed before use, a new multixact and its members, truncation. */
public sealed interface MultiXactRecord {
  int ZERO_OFF_PAGE = 0x00, ZERO_MEM_PAGE = 0x10, CREATE_ID = 0x20, TRUNCATE_ID = 0x30;

  /** How a member holds the tuple, in PostgreSQL's numbering. */
  enum Status {
    FOR_KEY_SHARE, FOR_SHARE, FOR_NO_KEY_UPDATE, FOR_UPDATE, NO_KEY_UPDATE, UPDATE;

    public boolean isUpdate() {
      return this == NO_KEY_UPDATE || this == UPDATE;
    }
  }

  record Member(int xid, Status status) {}

  record ZeroOffsetsPage(int pageno) implements MultiXactRecord {}

  record ZeroMembersPage(int pageno) implements MultiXactRecord {}

  /** Multixact {@code mid} whose members start at offset {@code moff} of the members SLRU. */
  record CreateId(int mid, int moff, List<Member> members) implements MultiXactRecord {}

  /** Offsets before endTruncOff and members before endTruncMemb are gone. */
  record TruncateId(int oldestMultiDb, int startTruncOff, int endTruncOff, int startTruncMemb, int endTruncMemb)
      implements MultiXactRecord {}

  static MultiXactRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    return switch (op) {
      case ZERO_OFF_PAGE -> new ZeroOffsetsPage(FieldReader.littleEndian("MULTIXACT ZERO_OFF_PAGE", mainData).i32("pageno"));
      case ZERO_MEM_PAGE -> new ZeroMembersPage(FieldReader.littleEndian("MULTIXACT ZERO_MEM_PAGE", mainData).i32("pageno"));
      case CREATE_ID -> create(FieldReader.littleEndian("MULTIXACT CREATE_ID", mainData));
      case TRUNCATE_ID -> {
        FieldReader r = FieldReader.littleEndian("MULTIXACT TRUNCATE_ID", mainData);
        yield new TruncateId(r.i32("oldestMultiDB"), r.i32("startTruncOff"), r.i32("endTruncOff"),
            r.i32("startTruncMemb"), r.i32("endTruncMemb"));
      }
      default -> throw new WireFormatException("MULTIXACT", "info", String.format("0x%02X", info), "unknown multixact record type");
    };
  }

  private static CreateId create(FieldReader r) throws WireFormatException {
    int mid = r.i32("mid");
    int moff = r.i32("moff");
    int n = r.count("nmembers", 8);
    List<Member> members = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int xid = r.i32("members[" + i + "].xid");
      int status = r.i32("members[" + i + "].status");
      if (status < 0 || status >= Status.values().length) throw r.error("members[" + i + "].status", status, "unknown MultiXactStatus");
      members.add(new Member(xid, Status.values()[status]));
    }
    return new CreateId(mid, moff, List.copyOf(members));
  }
}
