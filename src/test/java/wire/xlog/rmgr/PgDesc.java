package wire.xlog.rmgr;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;

/**
 * Prints parsed rmgr records the way PostgreSQL 15's rmgrdesc functions do (pg_waldump's
 * {@code desc:}), so that a golden test can compare the two texts. Where the parsers keep a count
 * instead of the items (dropped stats, invalidation messages), {@link #countLists} reduces
 * pg_waldump's text to the same count.
 */
final class PgDesc {
  private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int XACT_COMPLETION_APPLY_FEEDBACK = 1 << 29;
  private static final int XACT_COMPLETION_UPDATE_RELCACHE_FILE = 1 << 30;
  private static final int XACT_COMPLETION_FORCE_SYNC_COMMIT = 1 << 31;
  private static final Pattern STATS = Pattern.compile("(; (?:commit |abort |)dropped stats:)([^;]*)");
  private static final Pattern INVALS = Pattern.compile("(; inval msgs:)([^;]*)");
  private static final Pattern STATS_ITEM = Pattern.compile("-?\\d+/\\d+/\\d+");
  private static final Pattern INVAL_ITEM = Pattern.compile("catcache|catalog|relcache|smgr|relmap|snapshot|unrecognized");

  private PgDesc() {}

  /** timestamptz_to_str as pg_waldump prints it under TZ=UTC: microseconds since 2000-01-01. */
  static String time(long pgMicros) {
    long seconds = Math.floorDiv(pgMicros, 1_000_000L);
    return TIME.format(Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + seconds))
        + String.format(".%06d UTC", Math.floorMod(pgMicros, 1_000_000L));
  }

  /** relpathperm: the data-directory path of a relation's fork. */
  static String path(RelTag rel) {
    return new RelFilePath(rel, 0).format();
  }

  static String path(RelFileNode node) {
    return path(node.fork(ForkNumber.MAIN));
  }

  /** Replaces the item lists of dropped stats and invalidation messages by their lengths. */
  static String countLists(String desc) {
    return count(count(desc, STATS, STATS_ITEM, " items"), INVALS, INVAL_ITEM, " msgs");
  }

  /** Items never contain ';', which separates the parts of a description. */
  private static String count(String desc, Pattern list, Pattern item, String unit) {
    Matcher m = list.matcher(desc);
    StringBuilder out = new StringBuilder();
    while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + " " + item.matcher(m.group(2)).results().count() + unit));
    m.appendTail(out);
    return out.toString();
  }

  /** xact_desc_commit and xact_desc_abort, with stats and invalidations as counts; origin is the record's origin id. */
  static String completion(XactRecord.Completion c, int origin) {
    StringBuilder b = new StringBuilder();
    if (c.twophaseXid() != 0) b.append(Integer.toUnsignedString(c.twophaseXid())).append(": ");
    b.append(time(c.xactTime()));
    rels(b, "rels", c.droppedRelations());
    subxacts(b, c.subxacts());
    if (c.kind().isCommit()) {
      stats(b, "", c.droppedStats());
      if (c.invalidations() > 0) {
        if ((c.xinfo() & XACT_COMPLETION_UPDATE_RELCACHE_FILE) != 0) {
          b.append("; relcache init file inval dbid ").append(Integer.toUnsignedString(c.dbId()))
              .append(" tsid ").append(Integer.toUnsignedString(c.tsId()));
        }
        b.append("; inval msgs: ").append(c.invalidations()).append(" msgs");
      }
      if ((c.xinfo() & XACT_COMPLETION_APPLY_FEEDBACK) != 0) b.append("; apply_feedback");
      if ((c.xinfo() & XACT_COMPLETION_FORCE_SYNC_COMMIT) != 0) b.append("; sync");
      origin(b, c, origin);
    } else {
      origin(b, c, origin);
      stats(b, "", c.droppedStats());
    }
    return b.toString();
  }

  /**
   * xact_desc_prepare, without the parts the parser does not keep: dropped stats and the relcache
   * init file flag (the caller removes them from pg_waldump's text too).
   */
  static String prepare(XactRecord.Prepare p) {
    StringBuilder b = new StringBuilder("gid ").append(p.gid()).append(": ").append(time(p.preparedAt()));
    rels(b, "rels(commit)", p.commitRelations());
    rels(b, "rels(abort)", p.abortRelations());
    subxacts(b, p.subxacts());
    if (p.invalidations() > 0) b.append("; inval msgs: ").append(p.invalidations()).append(" msgs");
    return b.toString();
  }

  static String withoutPrepareExtras(String desc) {
    return desc.replaceAll("; (commit|abort) dropped stats: \\d+ items", "").replaceAll("; relcache init file inval dbid \\d+ tsid \\d+", "");
  }

  static String smgr(SmgrRecord r) {
    if (r instanceof SmgrRecord.Create c) return path(c.rel());
    SmgrRecord.Truncate t = (SmgrRecord.Truncate) r;
    return path(t.rel()) + " to " + Integer.toUnsignedString(t.blkno()) + " blocks flags " + t.flags();
  }

  static String dbase(DbaseRecord r) {
    if (r instanceof DbaseRecord.CreateFileCopy c) {
      return "copy dir " + u(c.srcTablespaceId()) + "/" + u(c.srcDbId()) + " to " + u(c.tablespaceId()) + "/" + u(c.dbId());
    }
    if (r instanceof DbaseRecord.CreateWalLog c) return "create dir " + u(c.tablespaceId()) + "/" + u(c.dbId());
    DbaseRecord.Drop d = (DbaseRecord.Drop) r;
    return "dir" + d.tablespaceIds().stream().map(ts -> " " + u(ts) + "/" + u(d.dbId())).collect(Collectors.joining());
  }

  static String clog(ClogRecord r) {
    if (r instanceof ClogRecord.ZeroPage z) return "page " + z.pageno();
    ClogRecord.Truncate t = (ClogRecord.Truncate) r;
    return "page " + t.pageno() + "; oldestXact " + u(t.oldestXact());
  }

  static String multixact(MultiXactRecord r) {
    if (r instanceof MultiXactRecord.ZeroOffsetsPage z) return Integer.toString(z.pageno());
    if (r instanceof MultiXactRecord.ZeroMembersPage z) return Integer.toString(z.pageno());
    if (r instanceof MultiXactRecord.CreateId c) {
      StringBuilder b = new StringBuilder(u(c.mid()) + " offset " + u(c.moff()) + " nmembers " + c.members().size() + ":");
      for (MultiXactRecord.Member m : c.members()) b.append(' ').append(u(m.xid())).append(" (").append(status(m.status())).append(')');
      return b.toString();
    }
    MultiXactRecord.TruncateId t = (MultiXactRecord.TruncateId) r;
    return "offsets [" + u(t.startTruncOff()) + ", " + u(t.endTruncOff()) + "), members [" + u(t.startTruncMemb()) + ", "
        + u(t.endTruncMemb()) + ")";
  }

  static String relmap(RelmapRecord r) {
    return "database " + u(r.dbId()) + " tablespace " + u(r.tsId()) + " size " + r.data().length;
  }

  static String checkpoint(XlogRecord.Checkpoint c) {
    var p = c.checkPoint();
    return "redo " + p.redo() + "; tli " + u(p.thisTimeLineId()) + "; prev tli " + u(p.prevTimeLineId()) + "; fpw "
        + p.fullPageWrites() + "; xid " + u(p.nextXidEpoch()) + ":" + u(p.nextXidValue()) + "; oid " + u(p.nextOid())
        + "; multi " + u(p.nextMulti()) + "; offset " + u(p.nextMultiOffset()) + "; oldest xid " + u(p.oldestXid())
        + " in DB " + u(p.oldestXidDb()) + "; oldest multi " + u(p.oldestMulti()) + " in DB " + u(p.oldestMultiDb())
        + "; oldest/newest commit timestamp xid: " + u(p.oldestCommitTsXid()) + "/" + u(p.newestCommitTsXid())
        + "; oldest running xid " + u(p.oldestActiveXid()) + "; " + (c.shutdown() ? "shutdown" : "online");
  }

  private static String status(MultiXactRecord.Status s) {
    return switch (s) {
      case FOR_KEY_SHARE -> "keysh";
      case FOR_SHARE -> "sh";
      case FOR_NO_KEY_UPDATE -> "fornokeyupd";
      case FOR_UPDATE -> "forupd";
      case NO_KEY_UPDATE -> "nokeyupd";
      case UPDATE -> "upd";
    };
  }

  private static void rels(StringBuilder b, String label, List<RelFileNode> rels) {
    if (rels.isEmpty()) return;
    b.append("; ").append(label).append(':');
    for (RelFileNode r : rels) b.append(' ').append(path(r));
  }

  private static void subxacts(StringBuilder b, List<Integer> subxacts) {
    if (subxacts.isEmpty()) return;
    b.append("; subxacts:");
    for (int x : subxacts) b.append(' ').append(u(x));
  }

  private static void stats(StringBuilder b, String label, int count) {
    if (count > 0) b.append("; ").append(label).append("dropped stats: ").append(count).append(" items");
  }

  private static void origin(StringBuilder b, XactRecord.Completion c, int origin) {
    if (!c.hasOrigin()) return;
    b.append("; origin: node ").append(origin).append(", lsn ").append(c.originLsn()).append(", at ").append(time(c.originTimestamp()));
  }

  private static String u(int v) {
    return Integer.toUnsignedString(v);
  }
}
