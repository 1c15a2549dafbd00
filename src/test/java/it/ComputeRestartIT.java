package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import testkit.LocalStrata;
import testkit.PostgresFixture;

/**
 * A compute is disposable: after a workload (pgbench, TOAST, sequences, a prepared transaction,
 * unlogged tables, 200 relations, a second database), stopping and starting the endpoint five times
 * gives the same pg_dump each time, a clean pg_amcheck, and the prepared transaction still there.
 * Unlogged tables start empty on a new compute, as after a crash, so their data is not dumped.
 */
class ComputeRestartIT {
  @Test
  void fiveStopsAndStartsKeepEveryCommittedByte() throws Exception {
    try (LocalStrata strata = LocalStrata.create("strata-restart-")) {
      String url = strata.up();
      strata.run(List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "2", "-q", url), 300);
      strata.run(List.of(PostgresFixture.bin("pgbench"), "-c", "2", "-t", "200", "-n", url), 300);
      strata.psql(url,
          "CREATE TABLE toasty (id int PRIMARY KEY, body text)",
          "INSERT INTO toasty SELECT g, repeat(md5(g::text), 4000) FROM generate_series(1, 50) g",
          "CREATE SEQUENCE counter",
          "SELECT nextval('counter') FROM generate_series(1, 40)",
          "CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)",
          "INSERT INTO scratch SELECT generate_series(1, 1000)",
          "DO $$ BEGIN FOR i IN 1..200 LOOP EXECUTE format('CREATE TABLE rel_%s (id int PRIMARY KEY, v text)', i);"
              + " EXECUTE format('INSERT INTO rel_%s VALUES (1, ''x'')', i); END LOOP; END $$",
          "CREATE DATABASE second",
          "BEGIN; INSERT INTO toasty VALUES (1000, 'prepared'); PREPARE TRANSACTION 'kept_open'");
      String second = url.replaceFirst("/postgres$", "/second");
      strata.psql(second, "CREATE TABLE in_second (x int)", "INSERT INTO in_second VALUES (42)");
      strata.amcheck(url, "--install-missing");
      String before = strata.dump(url);
      String beforeSecond = strata.dump(second);

      for (int round = 1; round <= 5; round++) {
        String stop = strata.strata("endpoint", "stop", "main");
        assertTrue(stop.contains("stopped endpoint main at LSN"), stop);
        String start = strata.strata("endpoint", "start", "main").strip();
        assertTrue(start.startsWith("postgresql://"), start);
        assertEquals(before, strata.dump(start), "pg_dump after restart " + round);
        assertEquals(beforeSecond, strata.dump(start.replaceFirst("/postgres$", "/second")), "second database after restart " + round);
        strata.amcheck(start, "--heapallindexed");
        assertEquals("kept_open", strata.psql(start, "SELECT gid FROM pg_prepared_xacts").strip(), "round " + round);
        assertEquals("0", strata.psql(start, "SELECT count(*) FROM scratch").strip(), "unlogged tables start empty");
        strata.psql(start, "INSERT INTO scratch SELECT generate_series(1, 10)");
      }
      strata.psql(url, "COMMIT PREPARED 'kept_open'");
      assertEquals("prepared", strata.psql(url, "SELECT body FROM toasty WHERE id = 1000").strip());
    }
  }
}
