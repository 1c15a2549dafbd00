package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import testkit.CliHome;
import testkit.StorageCluster;
import testkit.TempDirs;

/**
 * Issue 6: a static (read-only) endpoint at an LSN between two batches of inserts sees exactly the
 * first batch and refuses writes, while the primary of the same timeline runs on and sees both,
 * and restarts at the end of its timeline.
 */
class StaticEndpointIT {
  private static final String COUNT = "SELECT batch, count(*) FROM items GROUP BY batch ORDER BY batch";

  @Test
  void aStaticEndpointBetweenTwoBatchesSeesExactlyTheFirstAndRefusesWrites() throws Exception {
    Path root = Files.createTempDirectory("strata-static-");
    try (StorageCluster cluster = new StorageCluster(root).start(); CliHome cli = new CliHome(cluster)) {
      cli.setDefaultTenant(cli.ok("tenant", "create").strip());
      cli.ok("timeline", "create", "--name", "main");
      cli.ok("endpoint", "create", "main", "--timeline", "main");
      String primary = cli.ok("endpoint", "start", "main").strip();

      cli.sql(primary, "CREATE TABLE items (id int PRIMARY KEY, batch text)",
          "INSERT INTO items SELECT g, 'first' FROM generate_series(1, 500) g");
      String between = cli.sql(primary, "SELECT pg_current_wal_lsn()");
      cli.sql(primary, "INSERT INTO items SELECT g, 'second' FROM generate_series(501, 1000) g");

      String created = cli.ok("endpoint", "create", "past", "--timeline", "main", "--lsn", between);
      assertTrue(created.contains("mode static@" + between), created);
      String past = cli.ok("endpoint", "start", "past").strip();
      assertNotEquals(primary, past, "each endpoint has its own port");

      assertEquals("first|500", cli.sql(past, COUNT), "the static endpoint sees the first batch only");
      CliHome.Result write = cli.psql(past, "INSERT INTO items VALUES (5000, 'write')");
      assertNotEquals(0, write.exit(), "a write on a static endpoint fails");
      assertTrue(write.err().contains("read-only"), write.err());
      assertEquals("first|500\nsecond|500", cli.sql(primary, COUNT), "the primary runs on beside it");

      String list = cli.ok("endpoint", "list");
      assertTrue(list.lines().anyMatch(l -> l.startsWith("past ") && l.contains("static@" + between) && l.contains(" running ")), list);
      assertTrue(list.lines().anyMatch(l -> l.startsWith("main ") && l.contains("primary") && l.contains(" running ")), list);

      // a primary restarts at the end of its timeline: not a historic LSN, so it is not refused
      cli.ok("endpoint", "stop", "main");
      String again = cli.ok("endpoint", "start", "main").strip();
      cli.sql(again, "INSERT INTO items VALUES (1001, 'third')");
      assertEquals("first|500\nsecond|500\nthird|1", cli.sql(again, COUNT));
    } finally {
      TempDirs.delete(root);
    }
  }
}
