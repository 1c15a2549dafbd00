package testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * Checks every page of a PostgreSQL data directory (the reference, e.g. a standby paused at an LSN)
 * against a {@link PageSource} at that LSN: relation sizes, then each block. Two pages agree when
 * their pd_lsn is equal and they are equal after {@link PageMasking}. FSM forks are skipped unless
 * asked for: they are not WAL-logged, and PostgreSQL accepts them stale or zero.
 */
public final class PageOracle {
  private static final int CHUNK = 256;
  private static final int KEEP = 200;

  /** One disagreement; {@code blkno} is -1 for a whole-relation one (size, unreadable relation). */
  public record Mismatch(RelTag rel, int blkno, PageKind kind, long dataDirLsn, long sourceLsn, int firstDifferingOffset,
                         String description) {
    @Override
    public String toString() {
      return description;
    }
  }

  /**
   * What a comparison saw: {@code files} relation forks (or SLRU segments), their pages by kind
   * (SLRU pages count as UNKNOWN); {@code mismatches} keeps the first 200 of {@code mismatchCount}.
   */
  public record Report(String scope, long lsn, int files, long pagesCompared, Map<PageKind, Long> comparedByKind, long identical,
                       long maskedEqual, long fsmPagesSkipped, long mismatchCount, List<Mismatch> mismatches) {
    public boolean clean() {
      return mismatchCount == 0;
    }

    public long compared(PageKind kind) {
      return comparedByKind.getOrDefault(kind, 0L);
    }

    public String summary() {
      String kinds = comparedByKind.entrySet().stream().map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + "=" + e.getValue())
          .collect(Collectors.joining(" "));
      return String.format("at %s: %d pages of %d %s compared (%s), %d byte-identical, %d equal after masking,"
              + " %d FSM pages skipped, %d mismatches%s", Lsn.format(lsn), pagesCompared, files, scope, kinds, identical,
          maskedEqual, fsmPagesSkipped, mismatchCount,
          mismatches.stream().limit(20).map(Mismatch::description).collect(Collectors.joining("\n  ", mismatches.isEmpty() ? "" : "\n  ", "")));
    }
  }

  private final RelationKinds kinds;
  private final boolean compareFsm;

  /** Masks pages by the kinds the catalog names; FSM forks are skipped. */
  public PageOracle(RelationKinds kinds) {
    this(kinds, false);
  }

  /** With {@code compareFsm}, FSM forks are compared too: sizes, pd_lsn and bytes. */
  public PageOracle(RelationKinds kinds, boolean compareFsm) {
    this.kinds = kinds;
    this.compareFsm = compareFsm;
  }

  /** Compares every block of every relation fork in {@code dataDir} with {@code source} at {@code lsn}. */
  public Report compare(Path dataDir, PageSource source, long lsn) throws IOException {
    Tally t = new Tally();
    List<RelationFiles.Fork> forks = RelationFiles.forks(dataDir);
    for (RelationFiles.Fork f : forks) {
      if (f.rel().fork() == ForkNumber.FSM && !compareFsm) {
        t.fsmSkipped += f.nblocks();
        continue;
      }
      compareFork(dataDir, f, source, lsn, t);
    }
    return t.report("relation forks", lsn, forks.size());
  }

  /**
   * Compares the CLOG and multixact SLRU pages of {@code dataDir} with the source's segments. A page
   * the source does not have must be all zeros on disk.
   */
  public Report compareSlru(Path dataDir, PageSource source, long lsn) throws IOException {
    Tally t = new Tally();
    int segments = 0;
    for (SlruKind kind : SlruKind.values()) {
      for (Map.Entry<Integer, Path> seg : RelationFiles.slruSegments(dataDir, kind).entrySet()) {
        segments++;
        byte[] disk = Files.readAllBytes(seg.getValue());
        String name = RelationFiles.slruDirectory(kind) + "/" + String.format("%04X", seg.getKey());
        byte[] src;
        try {
          src = source.slruSegment(kind, seg.getKey(), lsn);
        } catch (IOException e) {
          t.mismatch(new Mismatch(null, -1, PageKind.UNKNOWN, 0, 0, -1, name + ": source failed: " + e.getMessage()));
          continue;
        }
        for (int p = 0; p < disk.length / RelationFiles.PAGE; p++) {
          byte[] d = Arrays.copyOfRange(disk, p * RelationFiles.PAGE, (p + 1) * RelationFiles.PAGE);
          byte[] s = src.length >= (p + 1) * RelationFiles.PAGE
              ? Arrays.copyOfRange(src, p * RelationFiles.PAGE, (p + 1) * RelationFiles.PAGE) : new byte[RelationFiles.PAGE];
          t.counted(PageKind.UNKNOWN);
          int at = Arrays.mismatch(d, s);
          if (at < 0) {
            t.identical++;
          } else {
            t.mismatch(new Mismatch(null, p, PageKind.UNKNOWN, 0, 0, at, String.format("%s page %d: first difference at byte %d:"
                + " 0x%02X in the data dir, 0x%02X from the source", name, p, at, d[at] & 0xFF, s[at] & 0xFF)));
          }
        }
      }
    }
    return t.report("SLRU segments", lsn, segments);
  }

  private void compareFork(Path dataDir, RelationFiles.Fork f, PageSource source, long lsn, Tally t) throws IOException {
    RelTag rel = f.rel();
    int sourceBlocks;
    try {
      sourceBlocks = source.nblocks(rel, lsn);
    } catch (IOException e) {
      t.mismatch(new Mismatch(rel, -1, PageKind.UNKNOWN, 0, 0, -1, rel + ": source cannot size it: " + e.getMessage()));
      return;
    }
    if (sourceBlocks != f.nblocks()) {
      t.mismatch(new Mismatch(rel, -1, PageKind.UNKNOWN, 0, 0, -1,
          rel + ": nblocks " + f.nblocks() + " in the data dir, " + sourceBlocks + " from the source"));
    }
    int n = Math.min(f.nblocks(), sourceBlocks);
    for (int from = 0; from < n; from += CHUNK) {
      int count = Math.min(CHUNK, n - from);
      List<byte[]> disk = RelationFiles.readBlocks(dataDir, rel, from, count);
      List<byte[]> theirs;
      try {
        theirs = source.pages(rel, from, count, lsn);
      } catch (IOException e) {
        t.mismatch(new Mismatch(rel, from, PageKind.UNKNOWN, 0, 0, -1,
            rel + " blocks " + from + ".." + (from + count - 1) + ": source failed: " + e.getMessage()));
        continue;
      }
      for (int i = 0; i < count; i++) comparePage(rel, from + i, disk.get(i), theirs.get(i), t);
    }
  }

  private void comparePage(RelTag rel, int blkno, byte[] disk, byte[] theirs, Tally t) {
    PageKind kind = kinds.kindOf(rel, disk);
    t.counted(kind);
    if (Arrays.equals(disk, theirs)) {
      t.identical++;
      return;
    }
    if (theirs.length != disk.length) {
      t.mismatch(new Mismatch(rel, blkno, kind, 0, 0, -1, rel + " blk " + blkno + ": the source sent " + theirs.length + " bytes"));
      return;
    }
    boolean hintOnly = kind == PageKind.FSM && !compareFsm;
    PageKind maskAs = kind == PageKind.FSM && compareFsm ? PageKind.VM : kind;
    long ourLsn = PageMasking.lsn(disk), theirLsn = PageMasking.lsn(theirs);
    byte[] a = PageMasking.mask(maskAs, disk, blkno), b = PageMasking.mask(maskAs, theirs, blkno);
    int at = Arrays.mismatch(a, b);
    if (at < 0 && (hintOnly || ourLsn == theirLsn)) {
      t.maskedEqual++;
      return;
    }
    String lsns = "pd_lsn " + Lsn.format(ourLsn) + " in the data dir, " + Lsn.format(theirLsn) + " from the source";
    String bytes = at < 0 ? "masked pages equal"
        : String.format("masked pages first differ at byte %d (0x%02X vs 0x%02X)", at, a[at] & 0xFF, b[at] & 0xFF);
    t.mismatch(new Mismatch(rel, blkno, kind, ourLsn, theirLsn, at,
        rel + " blk " + blkno + " (" + kind.name().toLowerCase(Locale.ROOT) + "): " + lsns + "; " + bytes));
  }

  /** Counters of one comparison. */
  private static final class Tally {
    final Map<PageKind, Long> byKind = new EnumMap<>(PageKind.class);
    final List<Mismatch> kept = new ArrayList<>();
    long compared;
    long identical;
    long maskedEqual;
    long fsmSkipped;
    long mismatches;

    void counted(PageKind kind) {
      compared++;
      byKind.merge(kind, 1L, Long::sum);
    }

    void mismatch(Mismatch m) {
      mismatches++;
      if (kept.size() < KEEP) kept.add(m);
    }

    Report report(String scope, long lsn, int files) {
      return new Report(scope, lsn, files, compared, new TreeMap<>(byKind), identical, maskedEqual, fsmSkipped, mismatches, List.copyOf(kept));
    }
  }
}
