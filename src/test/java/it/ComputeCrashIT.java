package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import testkit.LocalStrata;
import testkit.PostgresFixture;
import testkit.StrataProcess;

/**
 * Kill -9 of the compute's PostgreSQL in the middle of pgbench and a ledger client: a new compute
 * on the same timeline has every commit that was acknowledged, and its data passes pg_amcheck.
 */
class ComputeCrashIT {
  @Test
  void everyAcknowledgedCommitSurvivesAKilledCompute() throws Exception {
    try (LocalStrata strata = LocalStrata.create("strata-crash-")) {
      String url = strata.up();
      strata.run(List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "1", "-q", url), 300);
      strata.psql(url, "CREATE TABLE ledger (id bigint PRIMARY KEY)");

      Set<Long> acknowledged = new ConcurrentSkipListSet<>();
      AtomicReference<Throwable> ended = new AtomicReference<>();
      Thread ledger = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(LocalStrata.jdbc(url));
            PreparedStatement insert = c.prepareStatement("INSERT INTO ledger VALUES (?)")) {
          for (long id = 1; ; id++) {
            insert.setLong(1, id);
            insert.executeUpdate();   // autocommit: the commit is acknowledged when this returns
            acknowledged.add(id);
          }
        } catch (Throwable t) {
          ended.set(t);
        }
      }, "ledger");
      ledger.setDaemon(true);
      ledger.start();
      CompletableFuture<Void> pgbench = CompletableFuture.runAsync(() -> {
        try {
          new ProcessBuilder(PostgresFixture.bin("pgbench"), "-c", "2", "-T", "60", "-n", url).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      StrataProcess.await(Duration.ofSeconds(60), "300 ledger commits", () -> {
        assertTrue(ended.get() == null, () -> "the ledger client failed early: " + ended.get());
        return acknowledged.size() >= 300;
      });

      long postmaster = Long.parseLong(Files.readAllLines(strata.pgdata("main").resolve("postmaster.pid")).get(0).strip());
      new ProcessBuilder("kill", "-9", Long.toString(postmaster)).inheritIO().start().waitFor();
      ledger.join(30_000);
      assertTrue(ended.get() != null, "the ledger client saw the crash");
      pgbench.join();

      strata.strata("endpoint", "stop", "main");
      String start = strata.strata("endpoint", "start", "main").strip();
      Set<Long> present = new HashSet<>();
      try (Connection c = DriverManager.getConnection(LocalStrata.jdbc(start));
          ResultSet rs = c.createStatement().executeQuery("SELECT id FROM ledger")) {
        while (rs.next()) present.add(rs.getLong(1));
      }
      Set<Long> lost = new HashSet<>(acknowledged);
      lost.removeAll(present);
      System.out.printf("compute crash: %d commits acknowledged, %d rows after restart, %d lost%n",
          acknowledged.size(), present.size(), lost.size());
      assertEquals(Set.of(), lost, "acknowledged ledger commits missing after the crash");
      strata.amcheck(start, "--install-missing", "--heapallindexed");
      strata.psql(start, "INSERT INTO ledger VALUES (-1)");
    }
  }
}
