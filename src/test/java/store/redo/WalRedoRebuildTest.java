package store.redo;

import testkit.PageMasking;
import wire.pgdata.ForkNumber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.OsUser;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;
import wire.xlog.BlockRef;

/**
 * Pages rebuilt from WAL by the redo service against the pages PostgreSQL wrote: a heap with two
 * btrees after inserts, HOT and non-HOT updates, deletes, a rolled-back update, COPY, VACUUM (with
 * btree page deletion), VACUUM FREEZE and a checkpoint in the middle. Every block of every fork
 * compared is rebuilt from its history alone, all requests of a relation pipelined at once.
 */
@ExtendWith(ProcessLogs.class)
class WalRedoRebuildTest {
  private static Path root;
  private static RedoWorkload.Result source;
  private static WalRedoProcess redo;

  @BeforeAll
  static void produceWalAndStartRedo() throws Exception {
    root = Files.createTempDirectory("strata-redo-");
    OsUser.own(root);   // the redo process runs as the PostgreSQL OS user and must reach its work dir
    StringBuilder copyRows = new StringBuilder();
    for (int id = 20001; id <= 21500; id++) copyRows.append(id).append("\tcopied ").append(id).append('\t').append(id % 97).append('\n');
    source = RedoWorkload.run(List.of(
        "create table t (id int primary key, v text, n int)",
        "create index t_n on t (n)",
        "insert into t select g, repeat('v', 20 + g % 40), g from generate_series(1, 6000) g",
        "checkpoint",
        "update t set v = v || 'h' where id % 5 = 0",
        "update t set n = n + 100000 where id % 11 = 0",
        "delete from t where id % 7 = 0",
        "begin; update t set v = 'rolled back' where id < 400; rollback",
        "select count(*) from t where v like 'v%'",
        "vacuum t",
        "insert into t select g, 'late ' || g, g from generate_series(6001, 7000) g",
        "delete from t where id between 1000 and 3500",
        "vacuum t",
        new RedoWorkload.Copy("copy t from stdin", copyRows.toString()),
        "update t set v = 'after copy' where id between 20100 and 20300",
        "vacuum freeze t"),
        List.of("t", "t_pkey", "t_n"));
    redo = WalRedoProcess.start(WalRedoSettings.defaults(root.resolve("redo")));
  }

  @AfterAll
  static void stopRedo() {
    if (redo != null) redo.close();
    TempDirs.delete(root);
  }

  @Test
  void everyHeapPageRebuiltFromWalMatchesTheDataFile() throws Exception {
    Comparison c = compareMainFork("t", PageMasking::heap);
    assertTrue(c.pages >= 40, "the heap has " + c.pages + " pages");
    assertEquals(List.of(), c.mismatches, c.summary());
  }

  @Test
  void everyPrimaryKeyPageRebuiltFromWalMatchesTheDataFile() throws Exception {
    Comparison c = compareMainFork("t_pkey", PageMasking::btree);
    assertTrue(c.pages >= 10, "the index has " + c.pages + " pages");
    assertEquals(List.of(), c.mismatches, c.summary());
  }

  @Test
  void everySecondaryIndexPageRebuiltFromWalMatchesTheDataFile() throws Exception {
    Comparison c = compareMainFork("t_n", PageMasking::btree);
    assertTrue(c.pages >= 10, "the index has " + c.pages + " pages");
    assertEquals(List.of(), c.mismatches, c.summary());
  }

  @Test
  void visibilityMapPageRebuiltWithTheHeapRecordsThatClearItsBitsIsByteIdentical() throws Exception {
    RedoWorkload.Relation t = source.relation("t");
    assertTrue(t.vm().length >= PageMasking.PAGE, "vacuum created the visibility map");
    List<RedoRecord> history = PageHistory.ofVisibilityMapPage(source.wal(), t.node(), 0);
    long heapRecords = history.stream().filter(r -> !referencesVmPage(r)).count();
    assertTrue(heapRecords > 0, "the history includes heap records that clear VM bits");
    byte[] rebuilt = redo.apply(t.node(), ForkNumber.VM.ordinal(), 0, null, history);
    byte[] disk = t.block(t.vm(), 0);
    assertEquals("equal", PageMasking.firstDifference(disk, rebuilt));
  }

  @Test
  void aPageRebuiltFromHalfItsHistoryDoesNotMatch() throws Exception {
    // The comparisons above must be able to fail: leave out the later records and they do.
    RedoWorkload.Relation t = source.relation("t");
    int blk = IntStream.range(0, t.blocks())
        .filter(b -> PageHistory.of(source.wal(), t.node(), ForkNumber.MAIN.ordinal(), b).size() > 10).findFirst().orElseThrow();
    List<RedoRecord> history = PageHistory.of(source.wal(), t.node(), ForkNumber.MAIN.ordinal(), blk);
    byte[] partial = redo.apply(t.node(), ForkNumber.MAIN.ordinal(), blk, null, history.subList(0, history.size() / 2));
    byte[] disk = t.block(t.main(), blk);
    assertNotEquals(PageMasking.lsn(disk), PageMasking.lsn(partial), "pd_lsn");
    assertNotEquals("equal", PageMasking.firstDifference(PageMasking.heap(disk), PageMasking.heap(partial)));
  }

  private boolean referencesVmPage(RedoRecord r) {
    return source.wal().stream().filter(w -> w.lsn().equals(r.start())).anyMatch(w -> w.blocks().stream().anyMatch(b -> b.forkNumber() == ForkNumber.VM.ordinal()));
  }

  /** Rebuilds every block of the relation's main fork in one pipeline and compares each with the file. */
  private static Comparison compareMainFork(String name, UnaryOperator<byte[]> mask) throws Exception {
    RedoWorkload.Relation rel = source.relation(name);
    List<RedoRequest> requests = new ArrayList<>();
    for (int blk = 0; blk < rel.blocks(); blk++) {
      List<RedoRecord> history = PageHistory.of(source.wal(), rel.node(), ForkNumber.MAIN.ordinal(), blk);
      assertTrue(!history.isEmpty(), name + " block " + blk + " has no history in the WAL");
      requests.add(new RedoRequest(rel.node(), ForkNumber.MAIN.ordinal(), blk, null, history));
    }
    List<RedoResult> results = redo.applyAll(requests);

    Comparison c = new Comparison(name);
    for (int blk = 0; blk < rel.blocks(); blk++) {
      byte[] rebuilt = results.get(blk).pageOrThrow();
      byte[] disk = rel.block(rel.main(), blk);
      c.pages++;
      c.records += requests.get(blk).records().size();
      if (PageMasking.lsn(disk) != PageMasking.lsn(rebuilt)) {
        c.mismatches.add(String.format("block %d: pd_lsn on disk %X, rebuilt %X", blk, PageMasking.lsn(disk), PageMasking.lsn(rebuilt)));
      } else if (PageMasking.firstDifference(disk, rebuilt).equals("equal")) {
        c.identical++;
      } else {
        String masked = PageMasking.firstDifference(mask.apply(disk), mask.apply(rebuilt));
        if (!masked.equals("equal")) c.mismatches.add("block " + blk + ": " + masked);
      }
    }
    System.out.println(c.summary());
    return c;
  }

  private static final class Comparison {
    final String relation;
    final List<String> mismatches = new ArrayList<>();
    int pages;
    int identical;
    long records;

    Comparison(String relation) {
      this.relation = relation;
    }

    String summary() {
      return String.format("%s: %d pages rebuilt from %d records, %d byte-identical, %d equal after masking, %d mismatches%s",
          relation, pages, records, identical, pages - identical - mismatches.size(), mismatches.size(),
          mismatches.isEmpty() ? "" : mismatches.stream().limit(10).collect(Collectors.joining("\n  ", "\n  ", "")));
    }
  }
}
