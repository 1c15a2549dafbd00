package store.redo;

import testkit.PageMasking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import store.layer.ValueHistory;
import testkit.OsUser;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.redo.RedoRequest;
import wire.xlog.Lsn;

/**
 * Pages rebuilt by {@link PageReconstructor} from value histories of real WAL, through a real redo
 * process, against the pages PostgreSQL wrote; and the typed errors of histories it cannot rebuild.
 */
@ExtendWith(ProcessLogs.class)
class PageReconstructorTest {
  private static Path root;
  private static RedoWorkload.Result source;
  private static WalRedoProcess process;
  private static RecordingService service;
  private static PageReconstructor reconstructor;

  /** The redo process as a {@link RedoService}, keeping the requests it was sent. */
  private static final class RecordingService implements RedoService {
    final List<RedoRequest> requests = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletionStage<byte[]> redo(RedoRequest r) {
      requests.add(r);
      try {
        return CompletableFuture.completedFuture(process.applyAll(List.of(r)).get(0).pageOrThrow());
      } catch (RedoException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  @BeforeAll
  static void produceWalAndStartRedo() throws Exception {
    root = Files.createTempDirectory("strata-reconstruct-");
    OsUser.own(root);
    source = RedoWorkload.run(List.of(
        "create table t (id int primary key, v text, n int)",
        "insert into t select g, repeat('v', 50), g from generate_series(1, 3000) g",
        "vacuum t",
        "update t set v = 'updated' where id % 50 = 0",
        "delete from t where id % 70 = 0",
        "select id from t where id % 90 = 0 for update",
        "vacuum t",
        "insert into t select g, 'late', g from generate_series(3001, 3300) g",
        "vacuum freeze t",
        "update t set v = 'last' where id % 97 = 0"), List.of("t"));
    process = WalRedoProcess.start(WalRedoSettings.defaults(root.resolve("redo")));
    service = new RecordingService();
    reconstructor = new PageReconstructor(service);
  }

  @AfterAll
  static void stopRedo() {
    if (process != null) process.close();
    TempDirs.delete(root);
  }

  @BeforeEach
  void forgetRequests() {
    service.requests.clear();
  }

  @Test
  void everyHeapPageRebuiltFromItsHistoryMatchesTheDataFile() throws Exception {
    RedoWorkload.Relation t = source.relation("t");
    assertTrue(t.blocks() >= 20, "heap blocks: " + t.blocks());
    List<String> mismatches = new ArrayList<>();
    for (int blk = 0; blk < t.blocks(); blk++) {
      byte[] rebuilt = reconstructor.reconstruct(ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, blk));
      byte[] disk = t.block(t.main(), blk);
      String d = PageMasking.lsn(disk) != PageMasking.lsn(rebuilt) ? "pd_lsn" : PageMasking.firstDifference(PageMasking.heap(disk), PageMasking.heap(rebuilt));
      if (!d.equals("equal")) mismatches.add("block " + blk + ": " + d);
    }
    assertEquals(List.of(), mismatches);
    assertEquals(t.blocks(), service.requests.size(), "one request per page: its history is one run of records");
  }

  @Test
  void vmPageFromItsRecordsAndNativeClearsEqualsTheFileButForTheLsnOfTheLastClear() throws Exception {
    RedoWorkload.Relation t = source.relation("t");
    ValueHistory h = ValueHistories.ofVmPage(source.wal(), t.node(), 0);
    List<Value> oldestFirst = new ArrayList<>(h.newestFirst().stream().map(ValueHistory.Version::value).toList());
    Collections.reverse(oldestFirst);
    long clears = oldestFirst.stream().filter(v -> v instanceof Value.ClearVmFlags).count();
    int runs = 0;
    for (int i = 0; i < oldestFirst.size(); i++) {
      if (oldestFirst.get(i) instanceof Value.PgRecord && (i == 0 || !(oldestFirst.get(i - 1) instanceof Value.PgRecord))) runs++;
    }
    assertTrue(clears > 0 && runs >= 2, clears + " native clears between " + runs + " runs of records");

    byte[] rebuilt = reconstructor.reconstruct(h);
    byte[] disk = t.block(t.vm(), 0);
    // The last values are clears (the final UPDATE): like PostgreSQL, a native clear leaves pd_lsn
    // at the last record that set bits, so the rebuilt page equals the file, LSN included.
    assertTrue(h.newestFirst().get(0).value() instanceof Value.ClearVmFlags);
    assertEquals(PageMasking.lsn(disk), PageMasking.lsn(rebuilt), "disk pd_lsn " + Lsn.of(PageMasking.lsn(disk)));
    assertTrue(IntStream.range(0, t.blocks()).anyMatch(b -> wire.pgdata.VisibilityMap.bits(disk, b) == 0), "the final update cleared bits");
    byte[] diskWithoutLsn = disk.clone();
    byte[] rebuiltWithoutLsn = rebuilt.clone();
    Arrays.fill(diskWithoutLsn, 0, 8, (byte) 0);
    Arrays.fill(rebuiltWithoutLsn, 0, 8, (byte) 0);
    assertEquals("equal", PageMasking.firstDifference(diskWithoutLsn, rebuiltWithoutLsn));
    assertEquals(runs, service.requests.size(), "one request per run of records");
    assertNull(service.requests.get(0).baseImage(), "the history starts with a record that restores the page");
    assertTrue(service.requests.subList(1, runs).stream().allMatch(r -> r.baseImage() != null), "later runs start from the page so far");
  }

  @Test
  void anImageAtTheBottomIsTheBaseOfTheRecordsAbove() throws Exception {
    RedoWorkload.Relation t = source.relation("t");
    int blk = IntStream.range(0, t.blocks())
        .filter(b -> ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, b).newestFirst().size() >= 4).findFirst().orElseThrow();
    ValueHistory full = ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, blk);
    int half = full.newestFirst().size() / 2;
    List<ValueHistory.Version> older = full.newestFirst().subList(half, full.newestFirst().size());
    byte[] halfway = reconstructor.reconstruct(new ValueHistory(full.key(), older.get(0).lsn(), older, true));

    List<ValueHistory.Version> newer = new ArrayList<>(full.newestFirst().subList(0, half));
    newer.add(new ValueHistory.Version(older.get(0).lsn(), new Value.Image(halfway)));
    service.requests.clear();
    byte[] fromImage = reconstructor.reconstruct(new ValueHistory(full.key(), full.lsn(), newer, true));

    assertArrayEquals(reconstructor.reconstruct(full), fromImage);
    assertArrayEquals(halfway, service.requests.get(0).baseImage());
    assertEquals(half, service.requests.get(0).records().size());
  }

  @Test
  void aHistoryWithoutImageOrInitialisingRecordIsATypedError() {
    RedoWorkload.Relation t = source.relation("t");
    ValueHistory full = ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, 0);
    List<ValueHistory.Version> withoutBase = full.newestFirst().subList(0, full.newestFirst().size() - 1);
    ReconstructFailed e = assertThrows(ReconstructFailed.class,
        () -> reconstructor.reconstruct(new ValueHistory(full.key(), full.lsn(), withoutBase, false)));
    assertEquals(ReconstructFailed.Kind.NO_BASE_IMAGE, e.kind());
    ValueHistory.Version oldest = withoutBase.get(withoutBase.size() - 1);
    assertEquals("redo failed for " + t.node() + ".main.0 at " + Lsn.of(oldest.lsn()) + ": the oldest value found, a PgRecord, "
        + "needs an older page, and there is no image or initialising record below it in any layer", e.getMessage());

    ReconstructFailed empty = assertThrows(ReconstructFailed.class,
        () -> reconstructor.reconstruct(new ValueHistory(full.key(), 0x1_0000_0000L, List.of(), true)));
    assertEquals("redo failed for " + t.node() + ".main.0 at 1/0: the key has no value at or below this LSN", empty.getMessage());
    assertEquals(List.of(), service.requests);
  }

  @Test
  void aRecordTheServiceRefusesIsNamedByItsLsn() {
    RedoWorkload.Relation t = source.relation("t");
    ValueHistory full = ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, 1);
    List<ValueHistory.Version> versions = new ArrayList<>(full.newestFirst());
    ValueHistory.Version newest = versions.get(0);
    Value.PgRecord r = (Value.PgRecord) newest.value();
    byte[] corrupt = r.record().clone();
    corrupt[corrupt.length - 1] ^= 1;
    versions.set(0, new ValueHistory.Version(newest.lsn(), new Value.PgRecord(r.willInit(), r.startLsn(), r.endLsn(), corrupt)));

    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> reconstructor.reconstruct(new ValueHistory(full.key(), full.lsn(), versions, true)));
    assertEquals(ReconstructFailed.Kind.REDO_FAILED, e.kind());
    assertEquals(newest.lsn(), e.lsn(), "the value that failed");
    assertTrue(e.getMessage().startsWith("redo failed for " + t.node() + ".main.1 at " + Lsn.of(newest.lsn()) + ": ") && e.getMessage().contains("bad CRC"),
        e.getMessage());
  }

  @Test
  void aDeadRedoServiceIsATypedErrorNamingTheRun() {
    RedoWorkload.Relation t = source.relation("t");
    ValueHistory h = ValueHistories.ofBlock(source.wal(), t.node(), ForkNumber.MAIN, 2);
    RedoService dead = r -> CompletableFuture.failedFuture(new RedoProcessFailed("redo process pid=1 in /x failed (exit 9): EOF\nlog tail", null));
    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> new PageReconstructor(dead).reconstruct(h));
    assertEquals(ReconstructFailed.Kind.REDO_UNAVAILABLE, e.kind());
    ValueHistory.Version oldest = h.newestFirst().get(h.newestFirst().size() - 1);
    assertEquals("redo failed for " + t.node() + ".main.2 at " + Lsn.of(oldest.lsn()) + ": replaying " + h.newestFirst().size()
        + " record(s) up to " + Lsn.of(h.lsn()) + ": redo process pid=1 in /x failed (exit 9): EOF", e.getMessage());
  }

  @Test
  void slruPagesNeverGoToPostgres() {
    Key clog = Key.slruBlock(Key.SlruKind.CLOG, 0, 0);
    ValueHistory h = new ValueHistory(clog, 0x200, List.of(new ValueHistory.Version(0x200, new Value.PgRecord(true, 0x100, 0x200, new byte[24]))), true);
    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> reconstructor.reconstruct(h));
    assertEquals("redo failed for pg_xact/0000 blk 0 at 0/200: SLRU pages never carry PostgreSQL WAL records, but there is one here "
        + "(their changes are applied natively)", e.getMessage());
    assertEquals(ReconstructFailed.Kind.INVALID_VALUE, e.kind());
    assertEquals(List.of(), service.requests);
  }

  @Test
  void aClogImageKeepsItsTimestampTrailer() throws Exception {
    Key clog = Key.slruBlock(Key.SlruKind.CLOG, 0, 0);
    byte[] withTrailer = new byte[8200];
    ByteBuffer.wrap(withTrailer).putLong(8192, 777L);
    byte[] aborted = reconstructor.reconstruct(new ValueHistory(clog, 0x300, List.of(
        new ValueHistory.Version(0x300, new Value.ClogSetAborted(new int[] {9})),
        new ValueHistory.Version(0x100, new Value.Image(withTrailer))), true));
    assertEquals(8200, aborted.length);
    assertEquals(777L, ByteBuffer.wrap(aborted).getLong(8192));
    assertEquals(0, ByteBuffer.wrap(withTrailer).get(2), "the image itself is left alone");

    byte[] committed = reconstructor.reconstruct(new ValueHistory(clog, 0x300, List.of(
        new ValueHistory.Version(0x300, new Value.ClogSetCommitted(new int[] {9}, 888L)),
        new ValueHistory.Version(0x100, new Value.Image(new byte[8192]))), true));
    assertEquals(8200, committed.length);
    assertEquals(888L, ByteBuffer.wrap(committed).getLong(8192));

    ReconstructFailed e = assertThrows(ReconstructFailed.class, () -> reconstructor.reconstruct(new ValueHistory(Key.relBlock(
        new wire.pgdata.RelTag(1663, 5, 1, ForkNumber.MAIN), 0), 0x100, List.of(new ValueHistory.Version(0x100, new Value.Image(withTrailer))), true)));
    assertEquals("the page image is 8200 bytes, not 8192", e.reason());
  }
}
