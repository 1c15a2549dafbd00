package wire.xlog.rmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.WireFormatException;
import wire.xlog.Decoding;
import wire.xlog.Lsn;
import wire.xlog.PgWaldump;
import wire.xlog.RmgrId;
import wire.xlog.WalDecoder;
import wire.xlog.WalRecord;
import wire.xlog.WalWorkload;

/**
 * The rmgr parsers against pg_waldump's {@code desc:} text, record by record, on real PostgreSQL 15
 * WAL: every record of the rmgrs storage interprets is parsed and printed the way PostgreSQL's
 * rmgrdesc functions print it. Each test also counts what it compared, so a workload that stops
 * producing a record type fails instead of passing on nothing.
 */
@ExtendWith(ProcessLogs.class)
class RmgrDescGoldenTest {
  private static final Pattern FLAGS = Pattern.compile("flags 0x([0-9A-F]{2})");
  private static Path root;
  private static List<PgWaldump.Line> expected;
  private static List<WalRecord> decoded;

  @BeforeAll
  static void produceWal() throws Exception {
    root = Files.createTempDirectory("strata-rmgr-golden-");
    WalWorkload.Result wal = WalWorkload.runOnNewServer(root.resolve("wal"));
    expected = PgWaldump.run(wal.walDir(), wal.start(), wal.end());
    decoded = Decoding.all(WalDecoder.startingAt(wal.start(), Lsn.DEFAULT_SEGMENT_SIZE), wal.readAll(), wal.start(),
        wal.start(), wal.end(), () -> 1 << 20);
    assertEquals(expected.size(), decoded.size(), "record count");
  }

  @AfterAll
  static void removeWal() {
    TempDirs.delete(root);
  }

  @Test
  void transactionEndsAndPreparesMatchPgWaldump() throws WireFormatException {
    Map<String, Integer> seen = new TreeMap<>();
    int withRels = 0, withSubxacts = 0, withInvals = 0, withStats = 0, twophase = 0;
    for (int i = 0; i < decoded.size(); i++) {
      WalRecord r = decoded.get(i);
      if (r.rmgr() != RmgrId.XACT) continue;
      PgWaldump.Line line = expected.get(i);
      XactRecord x = XactRecord.parse(r.info(), r.mainData());
      String pg = PgDesc.countLists(line.desc());
      if (x instanceof XactRecord.Completion c) {
        assertEquals(pg, PgDesc.completion(c, r.origin()), line.type() + " at " + r.lsn());
        if (!c.droppedRelations().isEmpty()) withRels++;
        if (!c.subxacts().isEmpty()) withSubxacts++;
        if (c.invalidations() > 0) withInvals++;
        if (c.droppedStats() > 0) withStats++;
        if (c.twophaseXid() != 0) twophase++;
      } else if (x instanceof XactRecord.Prepare p) {
        assertEquals(PgDesc.withoutPrepareExtras(pg), PgDesc.prepare(p), "PREPARE at " + r.lsn());
        assertEquals(Integer.toUnsignedLong(p.xid()), line.xid(), "prepared xid at " + r.lsn());
      } else {
        continue;
      }
      seen.merge(line.type(), 1, Integer::sum);
    }
    assertTrue(seen.getOrDefault("COMMIT", 0) > 100 && seen.getOrDefault("ABORT", 0) > 0, "compared " + seen);
    assertEquals(5, seen.getOrDefault("PREPARE", 0), "compared " + seen);
    assertEquals(3, seen.getOrDefault("COMMIT_PREPARED", 0), "compared " + seen);
    assertEquals(2, seen.getOrDefault("ABORT_PREPARED", 0), "compared " + seen);
    assertTrue(withRels > 2 && withSubxacts > 0 && withInvals > 10 && withStats > 0 && twophase == 5,
        "rels " + withRels + ", subxacts " + withSubxacts + ", invals " + withInvals + ", stats " + withStats + ", twophase " + twophase);
  }

  @Test
  void storageDatabaseClogMultixactAndRelmapRecordsMatchPgWaldumpExactly() throws WireFormatException {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      WalRecord r = decoded.get(i);
      RmgrId rmgr = r.rmgr();
      if (rmgr == null) continue;
      String mine = switch (rmgr) {
        case SMGR -> PgDesc.smgr(SmgrRecord.parse(r.info(), r.mainData()));
        case DBASE -> PgDesc.dbase(DbaseRecord.parse(r.info(), r.mainData()));
        case CLOG -> PgDesc.clog(ClogRecord.parse(r.info(), r.mainData()));
        case MULTIXACT -> PgDesc.multixact(MultiXactRecord.parse(r.info(), r.mainData()));
        case RELMAP -> PgDesc.relmap(RelmapRecord.parse(r.info(), r.mainData()));
        default -> null;
      };
      if (mine == null) continue;
      PgWaldump.Line line = expected.get(i);
      assertEquals(line.desc(), mine, line.rmgr() + " " + line.type() + " at " + r.lsn());
      seen.merge(line.rmgr() + " " + line.type(), 1, Integer::sum);
    }
    for (String type : List.of("Storage CREATE", "Storage TRUNCATE", "Database CREATE_FILE_COPY", "Database CREATE_WAL_LOG",
        "Database DROP", "MultiXact CREATE_ID", "RelMap UPDATE")) {
      assertTrue(seen.getOrDefault(type, 0) > 0, "no " + type + " compared: " + seen);
    }
  }

  @Test
  void checkpointsAndNextOidMatchPgWaldumpExactly() throws WireFormatException {
    int checkpoints = 0, nextOids = 0;
    for (int i = 0; i < decoded.size(); i++) {
      WalRecord r = decoded.get(i);
      if (r.rmgr() != RmgrId.XLOG) continue;
      PgWaldump.Line line = expected.get(i);
      XlogRecord x = XlogRecord.parse(r.info(), r.mainData());
      if (x instanceof XlogRecord.Checkpoint c) {
        assertEquals(line.desc(), PgDesc.checkpoint(c), line.type() + " at " + r.lsn());
        checkpoints++;
      } else if (x instanceof XlogRecord.NextOid n) {
        assertEquals(line.desc(), Integer.toUnsignedString(n.nextOid()), "NEXTOID at " + r.lsn());
        nextOids++;
      }
    }
    assertTrue(checkpoints >= 5 && nextOids > 0, checkpoints + " checkpoints, " + nextOids + " NEXTOID records");
  }

  @Test
  void heapRecordTypesAndFlagsMatchPgWaldump() throws WireFormatException {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      WalRecord r = decoded.get(i);
      HeapRecord h;
      if (r.rmgr() == RmgrId.HEAP) h = HeapRecord.parseHeap(r.info(), r.mainData());
      else if (r.rmgr() == RmgrId.HEAP2) h = HeapRecord.parseHeap2(r.info(), r.mainData());
      else continue;
      PgWaldump.Line line = expected.get(i);
      String where = line.rmgr() + " " + line.type() + " at " + r.lsn();
      String type = line.type().replace("+INIT", "");
      String kind = kind(h);
      if (kind == null) continue;
      assertEquals(type, kind, where);
      if (h instanceof HeapRecord.Visible v) {
        assertEquals(line.desc(), String.format("cutoff xid %s flags 0x%02X", Integer.toUnsignedString(v.cutoffXid()), v.flags()), where);
      } else {
        Matcher m = FLAGS.matcher(line.desc());
        assertTrue(m.find(), where + ": " + line.desc());
        assertEquals(Integer.parseInt(m.group(1), 16), flags(h), where);
      }
      seen.merge(kind, 1, Integer::sum);
    }
    for (String kind : List.of("INSERT", "MULTI_INSERT", "DELETE", "UPDATE", "HOT_UPDATE", "LOCK", "VISIBLE")) {
      assertTrue(seen.getOrDefault(kind, 0) > 0, "no heap " + kind + " compared: " + seen);
    }
  }

  /** pg_waldump's name for the record type, or null for the records the parser leaves to block references. */
  private static String kind(HeapRecord h) {
    if (h instanceof HeapRecord.Insert x) return x.multi() ? "MULTI_INSERT" : "INSERT";
    if (h instanceof HeapRecord.Delete) return "DELETE";
    if (h instanceof HeapRecord.Update x) return x.hot() ? "HOT_UPDATE" : "UPDATE";
    if (h instanceof HeapRecord.Lock x) return x.updatedVersion() ? "LOCK_UPDATED" : "LOCK";
    if (h instanceof HeapRecord.Visible) return "VISIBLE";
    return null;
  }

  private static int flags(HeapRecord h) {
    if (h instanceof HeapRecord.Insert x) return x.flags();
    if (h instanceof HeapRecord.Delete x) return x.flags();
    if (h instanceof HeapRecord.Update x) return x.flags();
    return ((HeapRecord.Lock) h).flags();
  }
}
