package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import testkit.PageMasking;
import store.redo.PageReconstructor;
import store.redo.RedoFailed;
import store.redo.RedoProcessFailed;
import store.redo.RedoWorkload;
import store.redo.ValueHistories;
import testkit.ActorTestKitExtension;
import testkit.OsUser;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.pgdata.ForkNumber;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;
import wire.xlog.RmgrId;
import wire.xlog.WalRecord;

/**
 * The redo pool with two real redo processes: pages rebuilt from real WAL through it against the
 * pages PostgreSQL wrote, a process killed under a request, a request that kills its process
 * twice, and a request the process refuses.
 */
@ExtendWith(ProcessLogs.class)
class WalRedoPoolTest {
  @RegisterExtension
  static final ActorTestKitExtension kit = new ActorTestKitExtension();
  private static final Duration REPLY = Duration.ofSeconds(60);

  private static Path root;
  private static RedoWorkload.Result source;
  private static WalRedoPool pool;
  /** Heap inserts on block 0 of table f: the first initialises the page. */
  private static RedoRequest firstInsert;
  private static RedoRecord thirdInsert;

  @BeforeAll
  static void produceWalAndStartPool() throws Exception {
    root = Files.createTempDirectory("strata-redo-pool-");
    OsUser.own(root);
    source = RedoWorkload.run(List.of(
        "create table t (id int primary key, v text)",
        "insert into t select g, repeat('v', 30 + g % 50) from generate_series(1, 4000) g",
        "update t set v = 'updated' where id % 7 = 0",
        "delete from t where id % 11 = 0",
        "vacuum t",
        "create table f (id int, v text)",
        "insert into f values (1, 'one')",
        "insert into f values (2, 'two')",
        "insert into f values (3, 'three')"), List.of("t", "t_pkey", "f"));
    pool = WalRedoPool.spawn(kit.kit().system(), new WalRedoPoolSettings(2, root.resolve("walredo"), PostgresFixture.BIN_DIR,
        OsUser.name(), Duration.ofSeconds(60)));
    RedoWorkload.Relation f = source.relation("f");
    List<WalRecord> inserts = source.wal().stream()
        .filter(r -> r.rmgr() == RmgrId.HEAP && r.blocks().stream().anyMatch(b -> b.rel().equals(f.node()))).toList();
    assertEquals(3, inserts.size());
    firstInsert = new RedoRequest(f.node(), ForkNumber.MAIN.ordinal(), 0, null, List.of(record(inserts.get(0))));
    thirdInsert = record(inserts.get(2));
  }

  @AfterAll
  static void cleanUp() {
    TempDirs.delete(root);
  }

  @Test
  void pagesRebuiltThroughThePoolMatchTheDataFiles() throws Exception {
    long[] servedBefore = {status(0).served(), status(1).served()};
    List<String> mismatches = new ArrayList<>();
    int pages = compare("t", PageMasking::heap, mismatches) + compare("t_pkey", PageMasking::btree, mismatches);
    assertTrue(pages >= 40, "pages compared: " + pages);
    assertEquals(List.of(), mismatches);
    assertTrue(status(0).served() > servedBefore[0] && status(1).served() > servedBefore[1], "both workers served");
  }

  @Test
  void aProcessKilledUnderARequestIsReplacedAndTheRequestSucceedsOnTheNewOne() throws Exception {
    TestProbe<WalRedoWorker.Status> watch = kit.kit().createTestProbe();
    WalRedoWorker.Status before = watch.awaitAssert(REPLY, () -> {
      WalRedoWorker.Status s = status(0);
      assertTrue(s.pid() > 0 && s.inFlight() == 0, "worker 0 is up and idle: " + s);
      return s;
    });
    signal("STOP", before.pid());   // the request reaches the process, which cannot answer it
    TestProbe<WalRedoWorker.Reply> reply = kit.kit().createTestProbe();
    pool.workers().get(0).tell(new WalRedoWorker.Redo(firstInsert, reply.ref()));
    watch.awaitAssert(REPLY, () -> {
      assertEquals(1, status(0).inFlight(), "the request is in the process");
      return null;
    });
    signal("KILL", before.pid());

    WalRedoWorker.Rebuilt page = assertInstanceOf(WalRedoWorker.Rebuilt.class, reply.receiveMessage(REPLY));
    assertEquals(firstInsert.records().get(0).end().value(), PageMasking.lsn(page.page()));
    WalRedoWorker.Status after = status(0);
    assertEquals(before.restarts() + 1, after.restarts());
    assertNotEquals(before.pid(), after.pid());
    assertFalse(ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void aRequestThatKillsItsProcessTwiceFailsWithTheTypedErrorAndThePoolServesOn() throws Exception {
    // An empty page as base, then the third insert: its offset number does not fit and heap redo PANICs.
    byte[] empty = new byte[PageMasking.PAGE];
    ByteBuffer.wrap(empty).order(ByteOrder.LITTLE_ENDIAN).putShort(12, (short) 24).putShort(14, (short) 8192)
        .putShort(16, (short) 8192).putShort(18, (short) 0x2004);
    RedoRequest poison = new RedoRequest(firstInsert.rel(), ForkNumber.MAIN.ordinal(), 0, empty, List.of(thirdInsert));
    long restartsBefore = status(0).restarts() + status(1).restarts();

    ExecutionException e = assertThrowsExecution(pool.redo(poison).toCompletableFuture());
    RedoProcessFailed failed = assertInstanceOf(RedoProcessFailed.class, e.getCause());
    assertTrue(failed.getMessage().contains("PANIC"), failed.getMessage());

    TestProbe<Long> watch = kit.kit().createTestProbe();
    watch.awaitAssert(REPLY, () -> {
      assertTrue(status(0).pid() > 0 && status(1).pid() > 0, "both workers have a process again");
      return null;
    });
    assertEquals(restartsBefore + 2, status(0).restarts() + status(1).restarts(), "tried twice: one new process per death");
    List<CompletableFuture<byte[]>> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) next.add(pool.redo(firstInsert).toCompletableFuture());
    for (CompletableFuture<byte[]> f : next) assertEquals(firstInsert.records().get(0).end().value(), PageMasking.lsn(f.get(60, TimeUnit.SECONDS)));
  }

  @Test
  void aRequestTheProcessRefusesFailsAtOnceWithoutANewProcess() throws Exception {
    RedoRecord good = firstInsert.records().get(0);
    byte[] corrupt = good.bytes().clone();
    corrupt[corrupt.length - 1] ^= 1;
    RedoRequest bad = new RedoRequest(firstInsert.rel(), ForkNumber.MAIN.ordinal(), 0, null, List.of(new RedoRecord(corrupt, good.start(), good.end())));
    long restartsBefore = status(0).restarts() + status(1).restarts();

    RedoFailed failed = assertInstanceOf(RedoFailed.class, assertThrowsExecution(pool.redo(bad).toCompletableFuture()).getCause());
    assertTrue(failed.reason().contains("bad CRC"), failed.getMessage());
    assertEquals(restartsBefore, status(0).restarts() + status(1).restarts());
  }

  @Test
  void aStoppedPoolEndsItsProcesses() throws Exception {
    WalRedoPool small = WalRedoPool.spawn(kit.kit().system(), new WalRedoPoolSettings(1, root.resolve("stopped"), PostgresFixture.BIN_DIR,
        OsUser.name(), Duration.ofSeconds(60)));
    TestProbe<WalRedoWorker.Status> probe = kit.kit().createTestProbe();
    long pid = probe.awaitAssert(REPLY, () -> {
      small.workers().get(0).tell(new WalRedoWorker.GetStatus(probe.ref()));
      long p = probe.receiveMessage().pid();
      assertTrue(p > 0, "started");
      return p;
    });
    small.stop();
    probe.expectTerminated(small.workers().get(0), REPLY);
    probe.awaitAssert(REPLY, () -> {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "postgres pid " + pid + " has exited");
      return null;
    });
  }

  /** Rebuilds every block of a relation's main fork through the pool, eight at a time, and compares. */
  private static int compare(String name, UnaryOperator<byte[]> mask, List<String> mismatches) throws Exception {
    RedoWorkload.Relation rel = source.relation(name);
    PageReconstructor reconstructor = new PageReconstructor(pool);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<byte[]>> rebuilt = new ArrayList<>();
      for (int blk = 0; blk < rel.blocks(); blk++) {
        var history = ValueHistories.ofBlock(source.wal(), rel.node(), ForkNumber.MAIN, blk);
        rebuilt.add(CompletableFuture.supplyAsync(() -> {
          try {
            return reconstructor.reconstruct(history);
          } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        }, callers));
      }
      for (int blk = 0; blk < rel.blocks(); blk++) {
        byte[] page = rebuilt.get(blk).get(2, TimeUnit.MINUTES);
        byte[] disk = rel.block(rel.main(), blk);
        String d = PageMasking.lsn(disk) != PageMasking.lsn(page) ? "pd_lsn" : PageMasking.firstDifference(mask.apply(disk), mask.apply(page));
        if (!d.equals("equal")) mismatches.add(name + " block " + blk + ": " + d);
      }
      return rel.blocks();
    } finally {
      callers.shutdownNow();
    }
  }

  private static WalRedoWorker.Status status(int worker) {
    TestProbe<WalRedoWorker.Status> probe = kit.kit().createTestProbe();
    pool.workers().get(worker).tell(new WalRedoWorker.GetStatus(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static void signal(String signal, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(), "kill -" + signal + " " + pid);
  }

  private static ExecutionException assertThrowsExecution(CompletableFuture<byte[]> f) throws Exception {
    try {
      f.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      return e;
    }
    throw new AssertionError("the request succeeded");
  }

  private static RedoRecord record(WalRecord r) {
    return new RedoRecord(r.rawBytes(), r.lsn(), r.endLsn());
  }
}
