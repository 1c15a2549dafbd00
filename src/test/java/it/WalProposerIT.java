package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.Ports;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.StrataProcess;
import testkit.TempDirs;
import wire.xlog.Lsn;

/**
 * Three safekeeper nodes, a PostgreSQL 15 with {@code synchronous_standby_names = 'walproposer'}
 * and {@code strata walproposer}: commits return only while the proposer runs; afterwards
 * {@code strata sync-safekeepers} prints the same LSN with any two of the three safekeepers alive,
 * and that LSN is past every acknowledged commit.
 */
@ExtendWith(ProcessLogs.class)
class WalProposerIT {
  private static final String TENANT = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
  private static final String TIMELINE = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration COMMIT = Duration.ofSeconds(30);

  @Test
  void commitsNeedTheProposerAndSyncSafekeepersAgreesWithAnyTwoOfThree() throws Exception {
    Path root = Files.createTempDirectory("strata-walproposer-it-");
    int[] pgPorts = {Ports.free(), Ports.free(), Ports.free()};
    StrataProcess[] sks = new StrataProcess[3];
    Process proposer = null;
    try (PostgresFixture pg = PostgresFixture.builder()
        .set("wal_level", "replica").set("max_wal_senders", "4").set("max_replication_slots", "4")
        .set("synchronous_standby_names", "'walproposer'").set("synchronous_commit", "on").start()) {
      for (int i = 0; i < 3; i++) sks[i] = safekeeper(root, i, pgPorts[i]);
      for (StrataProcess sk : sks) sk.awaitReady(START);
      String safekeepers = "127.0.0.1:" + pgPorts[0] + ",127.0.0.1:" + pgPorts[1] + ",127.0.0.1:" + pgPorts[2];
      List<String> walproposer = List.of("walproposer", "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres",
          "--safekeepers", safekeepers, "--tenant", TENANT, "--timeline", TIMELINE);

      CompletableFuture<Lsn> first = pg.commitAsync("CREATE TABLE ledger(id int primary key)");
      assertThrows(TimeoutException.class, () -> first.get(3, TimeUnit.SECONDS), "no commit returns without a proposer");
      proposer = launch(root.resolve("walproposer-1.log"), walproposer);
      Lsn acknowledged = first.get(COMMIT.toSeconds(), TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) acknowledged = pg.commitAsync("INSERT INTO ledger VALUES (" + i + ")").get(COMMIT.toSeconds(), TimeUnit.SECONDS);

      stop(proposer);
      CompletableFuture<Lsn> waiting = pg.commitAsync("INSERT INTO ledger VALUES (100)");
      assertThrows(TimeoutException.class, () -> waiting.get(3, TimeUnit.SECONDS), "the proposer is gone: the commit waits");
      proposer = launch(root.resolve("walproposer-2.log"), walproposer);
      acknowledged = waiting.get(COMMIT.toSeconds(), TimeUnit.SECONDS);
      stop(proposer);
      proposer = null;

      List<String> results = new ArrayList<>();
      for (int down = 0; down < 3; down++) {
        sks[down].kill();
        StrataProcess.Result r = StrataProcess.runCli(Duration.ofSeconds(60), "sync-safekeepers", "--safekeepers", safekeepers,
            "--tenant", TENANT, "--timeline", TIMELINE, "--timeout", "40");
        assertEquals(0, r.exitCode(), "sync-safekeepers with safekeeper " + down + " down: " + r.stderr());
        results.add(r.stdout().strip());
        sks[down].close();
        sks[down] = safekeeper(root, down, pgPorts[down]).awaitReady(START);
      }
      assertEquals(List.of(results.get(0), results.get(0), results.get(0)), results, "every pair agrees on the end of WAL");
      Lsn synced = Lsn.parse(results.get(0));
      assertTrue(synced.isAfter(acknowledged), "sync-safekeepers ends at " + synced + ", past the last acknowledged commit " + acknowledged);
    } finally {
      if (proposer != null) proposer.destroyForcibly();
      for (StrataProcess sk : sks) if (sk != null) sk.close();
      TempDirs.delete(root);
    }
  }

  /** A safekeeper node whose data and PostgreSQL port survive a kill and a new start. */
  private static StrataProcess safekeeper(Path root, int i, int pgPort) {
    return StrataProcess.start("sk" + (i + 1), List.of("safekeeper"), List.of(),
        Map.of("strata.safekeeper.pg-port", pgPort, "strata.data-dir", root.resolve("sk" + (i + 1)).toString(),
            "strata.node-id", Integer.toString(i + 1)));
  }

  private static Process launch(Path log, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", StrataProcess.jar().toString()));
    cmd.addAll(args);
    try {
      return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
  }
}
