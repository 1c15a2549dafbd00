package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.CliProcess;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.SafekeeperNodes;
import testkit.StrataProcess;
import testkit.TempDirs;
import testkit.WalChecks;
import wire.xlog.Lsn;

/**
 * pgbench and a ledger client against a PostgreSQL 15 whose commits wait for {@code strata
 * walproposer} and three safekeepers, while safekeepers are killed with SIGKILL and started again.
 * With one down commits go on, with two down they wait without an error, with all back they go on.
 * Afterwards every acknowledged ledger commit is in the WAL of at least two safekeepers, all three
 * hold the same bytes up to commit_lsn, and pg_waldump reads each one's segments.
 */
@ExtendWith(ProcessLogs.class)
class SafekeeperLedgerIT {
  private static final String TENANT = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e";
  private static final String TIMELINE = "2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d";
  private static final Duration COMMITS = Duration.ofSeconds(30);

  @Test
  void acknowledgedCommitsSurviveSafekeeperCrashesAndEverySafekeeperHoldsTheSameWal() throws Exception {
    Ledger ledger = null;
    CliProcess proposer = null;
    Path dumps = Files.createTempDirectory("strata-ledger-waldump-");
    try (SafekeeperNodes sks = SafekeeperNodes.start(3, TENANT, TIMELINE);
        PostgresFixture pg = PostgresFixture.builder()
            .set("wal_level", "replica").set("max_wal_senders", "4").set("max_replication_slots", "4")
            .set("synchronous_standby_names", "'walproposer'").set("synchronous_commit", "on").start()) {
      proposer = CliProcess.start("walproposer", sks.root().resolve("walproposer.log"), "walproposer",
          "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres",
          "--safekeepers", sks.proposerList(), "--tenant", TENANT, "--timeline", TIMELINE);
      PostgresFixture.run(List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "1", "-q", pg.connString("postgres")), Duration.ofSeconds(90));
      pg.psql("CREATE TABLE ledger(id bigint PRIMARY KEY, xid bigint NOT NULL)");

      ledger = Ledger.start(pg);
      CompletableFuture<String> pgbench = CompletableFuture.supplyAsync(() -> PostgresFixture.run(List.of(
          PostgresFixture.bin("pgbench"), "-c", "4", "-T", "20", "-N", pg.connString("postgres")), Duration.ofSeconds(120)));
      ledger.awaitMore(10, COMMITS, "with three safekeepers");

      sks.kill(0);
      ledger.awaitMore(50, COMMITS, "with sk1 killed");

      sks.kill(1);
      Thread.sleep(2000);   // commits already acknowledged by sk2 before it died may still return
      int stalledAt = ledger.count();
      Thread.sleep(5000);
      assertEquals(stalledAt, ledger.count(), "with two of three safekeepers down no commit is acknowledged");
      ledger.assertNoError();
      assertTrue(ledger.isWaiting(), "the ledger client is blocked in a commit, not failed");

      sks.restartNoWait(0);
      sks.restartNoWait(1);
      sks.node(0).awaitReady(SafekeeperNodes.READY);
      sks.node(1).awaitReady(SafekeeperNodes.READY);
      ledger.awaitMore(50, Duration.ofSeconds(60), "after sk1 and sk2 came back");

      String bench = pgbench.get(120, TimeUnit.SECONDS);
      ledger.stop();
      ledger.assertNoError();
      assertTrue(bench.contains("number of failed transactions: 0 "), "pgbench: " + bench);

      Lsn commit = sks.awaitSameCommitLsn(Duration.ofSeconds(60));
      Lsn start = Lsn.parse(sks.timelineStatus(0).path("timeline_start_lsn").asText());
      TreeMap<Long, Long> acknowledged = ledger.acknowledged();

      System.out.printf("ledger: %d acknowledged commits, stalled at %d with two safekeepers down; WAL %s..%s%n",
          acknowledged.size(), stalledAt, start, commit);

      // (a) every acknowledged commit is in the WAL of at least two safekeepers
      List<Set<Long>> committed = new ArrayList<>();
      for (int i = 0; i < 3; i++) committed.add(WalChecks.committedXids(sks.timelineDir(i), start, commit));
      for (var e : acknowledged.entrySet()) {
        long holders = committed.stream().filter(s -> s.contains(e.getValue())).count();
        assertTrue(holders >= 2, "ledger id " + e.getKey() + " (xid " + e.getValue() + ") was acknowledged but has a commit record on "
            + holders + " safekeeper(s) up to " + commit);
      }

      // (b) byte-identical WAL up to commit_lsn, from the start of the timeline's first segment
      Lsn from = start.segmentStart(Lsn.DEFAULT_SEGMENT_SIZE);
      for (Lsn at = from; at.isBefore(commit); ) {
        Lsn to = Lsn.min(commit, at.plus(1 << 20));
        byte[] first = sks.wal(0, at, to);
        for (int i = 1; i < 3; i++) assertArrayEquals(first, sks.wal(i, at, to), "sk" + (i + 1) + " differs from sk1 in [" + at + ", " + to + ")");
        at = to;
      }

      // (c) pg_waldump reads every safekeeper's segments up to commit_lsn
      for (int i = 0; i < 3; i++) {
        Path dir = Files.createDirectory(dumps.resolve("sk" + (i + 1)));
        WalChecks.copySegments(sks.timelineDir(i), dir);
        WalChecks.Dump dump = WalChecks.waldump(dir, start, commit);
        String tail = dump.output().lines().skip(Math.max(0, dump.output().lines().count() - 5)).toList().toString();
        assertEquals(0, dump.exitCode(), "pg_waldump on sk" + (i + 1) + ": " + tail);
        assertTrue(!dump.output().contains("error"), "pg_waldump on sk" + (i + 1) + ": " + tail);
        assertTrue(dump.output().lines().filter(l -> l.startsWith("rmgr: Transaction")).count() >= acknowledged.size(),
            "pg_waldump on sk" + (i + 1) + " shows every acknowledged commit");
      }
    } finally {
      if (ledger != null) ledger.stop();
      if (proposer != null) proposer.close();
      TempDirs.delete(dumps);
    }
  }

  /**
   * One client inserting ledger rows in autocommit mode, each with its own xid; a row counts as
   * acknowledged once its INSERT (and with it the commit) returned.
   */
  private static final class Ledger {
    private final ConcurrentSkipListMap<Long, Long> acknowledged = new ConcurrentSkipListMap<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Connection connection;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean inCommit;

    private Ledger(Connection connection) {
      this.connection = connection;
      this.thread = new Thread(this::run, "ledger-client");
    }

    static Ledger start(PostgresFixture pg) throws Exception {
      Ledger l = new Ledger(pg.connect());
      l.connection.setAutoCommit(true);
      l.thread.setDaemon(true);
      l.thread.start();
      return l;
    }

    private void run() {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO ledger VALUES (?, txid_current()) RETURNING xid")) {
        for (long id = 1; !stopping; id++) {
          insert.setLong(1, id);
          inCommit = true;
          try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            acknowledged.put(id, rs.getLong(1) & 0xFFFFFFFFL);   // the 32-bit xid of the epoch-extended txid
          }
          inCommit = false;
        }
      } catch (Throwable t) {
        if (!stopping) error.set(t);
      }
    }

    int count() {
      return acknowledged.size();
    }

    boolean isWaiting() {
      return inCommit && thread.isAlive();
    }

    TreeMap<Long, Long> acknowledged() {
      return new TreeMap<>(acknowledged);
    }

    void awaitMore(int more, Duration timeout, String when) {
      int target = count() + more;
      StrataProcess.await(timeout, more + " more ledger commits " + when + " (at " + count() + ")", () -> {
        assertNoError();
        return count() >= target;
      });
    }

    void assertNoError() {
      Throwable t = error.get();
      if (t != null) throw new AssertionError("the ledger client failed after " + count() + " commits: " + t, t);
    }

    void stop() throws InterruptedException {
      stopping = true;
      thread.join(30_000);
      try {
        connection.close();
      } catch (Exception ignored) {
        // the server may be gone already
      }
    }
  }
}
