package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import java.util.List;
import wire.FieldReader;
import wire.WireFormatException;
import wire.pgdata.RelFileNode;
import wire.xlog.Lsn;

/**
 * Transaction records of PostgreSQL 15: the end of a transaction (commit or abort, of a plain or a
 * prepared transaction) and PREPARE. Layouts follow {@code ParseCommitRecord} and
 * {@code ParsePrepareRecord}: optional parts in a fixed order, each present iff its xinfo bit is set.
 */
public sealed interface XactRecord {
  int COMMIT = 0x00, PREPARE = 0x10, ABORT = 0x20, COMMIT_PREPARED = 0x30, ABORT_PREPARED = 0x40, ASSIGNMENT = 0x50,
      INVALIDATIONS = 0x60;
  int OPMASK = 0x70, HAS_INFO = 0x80;
  int XINFO_HAS_DBINFO = 1, XINFO_HAS_SUBXACTS = 1 << 1, XINFO_HAS_RELFILENODES = 1 << 2, XINFO_HAS_INVALS = 1 << 3,
      XINFO_HAS_TWOPHASE = 1 << 4, XINFO_HAS_ORIGIN = 1 << 5, XINFO_HAS_AE_LOCKS = 1 << 6, XINFO_HAS_GID = 1 << 7,
      XINFO_HAS_DROPPED_STATS = 1 << 8;
  int TWOPHASE_MAGIC = 0x57F94534;
  int STATS_ITEM_SIZE = 12, INVAL_MESSAGE_SIZE = 16;

  enum Kind {
    COMMIT, ABORT, COMMIT_PREPARED, ABORT_PREPARED;

    public boolean isCommit() {
      return this == COMMIT || this == COMMIT_PREPARED;
    }
  }

  /**
   * The end of a transaction. {@code twophaseXid} is the prepared transaction's xid (0 unless the
   * record has a twophase part); {@code droppedRelations} are relations whose files go away now.
   */
  record Completion(Kind kind, long xactTime, int xinfo, int dbId, int tsId, List<Integer> subxacts,
      List<RelFileNode> droppedRelations, int droppedStats, int invalidations, int twophaseXid, String gid,
      Lsn originLsn, long originTimestamp) implements XactRecord {
    public boolean hasOrigin() {
      return (xinfo & XINFO_HAS_ORIGIN) != 0;
    }
  }

  /** The header of a PREPARE record, which is also the twophase state file's header. */
  record Prepare(int xid, int database, long preparedAt, int owner, String gid, List<Integer> subxacts,
      List<RelFileNode> commitRelations, List<RelFileNode> abortRelations, int invalidations, Lsn originLsn,
      long originTimestamp) implements XactRecord {}

  /** ASSIGNMENT and INVALIDATIONS: nothing for storage. */
  record Other(int info) implements XactRecord {}

  static XactRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & OPMASK;
    return switch (op) {
      case COMMIT -> completion(Kind.COMMIT, info, mainData);
      case ABORT -> completion(Kind.ABORT, info, mainData);
      case COMMIT_PREPARED -> completion(Kind.COMMIT_PREPARED, info, mainData);
      case ABORT_PREPARED -> completion(Kind.ABORT_PREPARED, info, mainData);
      case PREPARE -> prepare(mainData);
      default -> new Other(op);
    };
  }

  private static Completion completion(Kind kind, int info, ByteBuffer mainData) throws WireFormatException {
    FieldReader r = FieldReader.littleEndian("XACT " + kind, mainData);
    long xactTime = r.i64("xact_time");
    int xinfo = (info & HAS_INFO) != 0 ? r.i32("xinfo") : 0;
    int dbId = 0, tsId = 0;
    if ((xinfo & XINFO_HAS_DBINFO) != 0) {
      dbId = r.i32("dbId");
      tsId = r.i32("tsId");
    }
    List<Integer> subxacts = List.of();
    if ((xinfo & XINFO_HAS_SUBXACTS) != 0) subxacts = Rmgr.u32s(r, "subxacts", r.count("nsubxacts", 4));
    List<RelFileNode> rels = List.of();
    if ((xinfo & XINFO_HAS_RELFILENODES) != 0) {
      rels = Rmgr.relFileNodes(r, "xnodes", r.count("nrels", RelFileNode.SIZE));
    }
    int stats = 0;
    if ((xinfo & XINFO_HAS_DROPPED_STATS) != 0) {
      stats = r.count("nstats", STATS_ITEM_SIZE);
      r.skip("stats", stats * STATS_ITEM_SIZE);
    }
    int invals = 0;
    if ((xinfo & XINFO_HAS_INVALS) != 0) {
      invals = r.count("nmsgs", INVAL_MESSAGE_SIZE);
      r.skip("msgs", invals * INVAL_MESSAGE_SIZE);
    }
    int twophaseXid = 0;
    String gid = "";
    if ((xinfo & XINFO_HAS_TWOPHASE) != 0) {
      twophaseXid = r.i32("twophase_xid");
      if ((xinfo & XINFO_HAS_GID) != 0) gid = r.cstring("twophase_gid");
    }
    Lsn originLsn = Lsn.INVALID;
    long originTimestamp = 0;
    if ((xinfo & XINFO_HAS_ORIGIN) != 0) {
      originLsn = new Lsn(r.i64("origin_lsn"));
      originTimestamp = r.i64("origin_timestamp");
    }
    return new Completion(kind, xactTime, xinfo, dbId, tsId, subxacts, rels, stats, invals, twophaseXid, gid,
        originLsn, originTimestamp);
  }

  /** xl_xact_prepare (72 bytes), then each array MAXALIGNed: gid, subxacts, commit rels, abort rels. */
  private static Prepare prepare(ByteBuffer mainData) throws WireFormatException {
    FieldReader r = FieldReader.littleEndian("XACT PREPARE", mainData);
    int magic = r.i32("magic");
    if (magic != TWOPHASE_MAGIC) throw r.error("magic", String.format("0x%08X", magic), "not a twophase state (0x57F94534)");
    r.skip("total_len", 4);
    int xid = r.i32("xid");
    int database = r.i32("database");
    long preparedAt = r.i64("prepared_at");
    int owner = r.i32("owner");
    int nsubxacts = nonNegative(r, "nsubxacts");
    int ncommitrels = nonNegative(r, "ncommitrels");
    int nabortrels = nonNegative(r, "nabortrels");
    r.skip("ncommitstats, nabortstats", 8);
    int ninvalmsgs = nonNegative(r, "ninvalmsgs");
    r.skip("initfileinval", 2);
    int gidlen = r.u16("gidlen");
    Lsn originLsn = new Lsn(r.i64("origin_lsn"));
    long originTimestamp = r.i64("origin_timestamp");
    byte[] gidBytes = r.bytes("gid", gidlen);
    int nul = 0;
    while (nul < gidBytes.length && gidBytes[nul] != 0) nul++;
    String gid = new String(gidBytes, 0, nul, java.nio.charset.StandardCharsets.UTF_8);
    r.skip("gid padding", pad(gidlen));
    if ((long) nsubxacts * 4 > r.remaining()) throw r.error("nsubxacts", nsubxacts, "more than the record holds");
    List<Integer> subxacts = Rmgr.u32s(r, "subxacts", nsubxacts);
    r.skip("subxacts padding", pad(nsubxacts * 4));
    if ((long) ncommitrels * RelFileNode.SIZE > r.remaining()) throw r.error("ncommitrels", ncommitrels, "more than the record holds");
    List<RelFileNode> commitRels = Rmgr.relFileNodes(r, "commitrels", ncommitrels);
    r.skip("commitrels padding", pad(ncommitrels * RelFileNode.SIZE));
    if ((long) nabortrels * RelFileNode.SIZE > r.remaining()) throw r.error("nabortrels", nabortrels, "more than the record holds");
    List<RelFileNode> abortRels = Rmgr.relFileNodes(r, "abortrels", nabortrels);
    return new Prepare(xid, database, preparedAt, owner, gid, subxacts, commitRels, abortRels, ninvalmsgs, originLsn,
        originTimestamp);
  }

  private static int nonNegative(FieldReader r, String field) throws WireFormatException {
    int n = r.i32(field);
    if (n < 0) throw r.error(field, n, "negative count");
    return n;
  }

  /** Bytes from {@code len} up to the next multiple of 8 (MAXALIGN). */
  private static int pad(int len) {
    return ((len + 7) & ~7) - len;
  }
}
