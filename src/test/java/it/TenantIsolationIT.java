package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import testkit.CliHome;
import testkit.StorageCluster;
import testkit.TempDirs;

/**
 * Two tenants with the same timeline and table names are fully apart; deleting an unknown timeline,
 * a parent timeline or an unknown tenant fails with one clear line and changes nothing; deleting a
 * leaf timeline or a whole tenant removes it from the pageserver and the safekeepers.
 */
class TenantIsolationIT {
  private static final String HEX = "0123456789abcdef0123456789abcdef";

  @Test
  void tenantsAreIsolatedAndBadDeletesChangeNothing() throws Exception {
    Path root = Files.createTempDirectory("strata-tenants-");
    try (StorageCluster cluster = new StorageCluster(root).start(); CliHome cli = new CliHome(cluster)) {
      String one = cli.ok("tenant", "create").strip();
      String two = cli.ok("tenant", "create").strip();
      cli.setDefaultTenant(one);
      String tenants = cli.ok("tenant", "list");
      assertTrue(tenants.contains(one + " (default)") && tenants.lines().anyMatch(l -> l.equals(two)), tenants);

      cli.ok("timeline", "create", "--name", "main");
      String twoMain = cli.ok("timeline", "create", "--name", "main", "--tenant", two).strip();
      cli.ok("endpoint", "create", "one", "--timeline", "main");
      cli.ok("endpoint", "create", "two", "--timeline", "main", "--tenant", two);
      String urlOne = cli.ok("endpoint", "start", "one").strip();
      String urlTwo = cli.ok("endpoint", "start", "two").strip();
      cli.sql(urlOne, "CREATE TABLE items (id int PRIMARY KEY, owner text)", "INSERT INTO items VALUES (1, 'one')");
      cli.sql(urlTwo, "CREATE TABLE items (id int PRIMARY KEY, owner text)", "INSERT INTO items VALUES (1, 'two'), (2, 'two')");
      assertEquals("1|one", cli.sql(urlOne, "SELECT * FROM items ORDER BY id"));
      assertEquals("1|two\n2|two", cli.sql(urlTwo, "SELECT * FROM items ORDER BY id"));

      // a second read-write endpoint on a timeline with a running one is refused
      cli.ok("endpoint", "create", "one-again", "--timeline", "main");
      CliHome.Result second = cli.run("endpoint", "start", "one-again");
      assertEquals(1, second.exit(), second.err());
      assertTrue(second.err().contains("already has a running read-write endpoint 'one'"), second.err());

      String child = cli.ok("timeline", "branch", "--from", "main", "--name", "child").strip();
      String grandchild = cli.ok("timeline", "branch", "--from", "child", "--name", "grandchild").strip();
      String before = timelines(cli);
      assertFails(cli.run("timeline", "delete", "nosuch"), "no timeline named 'nosuch'");
      assertFails(cli.run("timeline", "delete", HEX), "timeline " + HEX + " of tenant " + one + " does not exist");
      assertFails(cli.run("timeline", "delete", "child"), "has child branches " + grandchild + " (grandchild)");
      assertFails(cli.run("timeline", "delete", "main"), "has running endpoints [one]");
      assertFails(cli.run("tenant", "delete", HEX), "tenant " + HEX + " does not exist");
      assertEquals(before, timelines(cli), "a refused delete changes nothing");
      CliHome.Result usage = cli.run("timeline", "branch", "--from", "main", "--lsn", "0/1", "--at", "2026-11-22 10:00:00+00");
      assertEquals(2, usage.exit(), usage.err());
      cli.sql(urlOne, "INSERT INTO items VALUES (2, 'one')");   // the parent's compute was not disturbed

      assertEquals("deleted timeline " + grandchild, cli.ok("timeline", "delete", "grandchild").strip());
      assertEquals("deleted timeline " + child, cli.ok("timeline", "delete", child).strip());
      String after = cli.ok("timeline", "list");
      assertFalse(after.contains(child) || after.contains(grandchild), after);

      assertFails(cli.run("tenant", "delete", two), "tenant " + two + " has running endpoints [two]");
      assertFails(cli.run("timeline", "delete", "main", "--tenant", two), "has running endpoints [two]");
      cli.ok("endpoint", "stop", "two");
      assertEquals("deleted tenant " + two, cli.ok("tenant", "delete", two).strip());
      assertFalse(cli.ok("tenant", "list").contains(two));
      assertEquals(404, cluster.raw("GET", "/v1/tenant/" + two + "/timeline", null).statusCode());
      try (var walk = Files.walk(root.resolve("pageserver"))) {
        assertFalse(walk.anyMatch(p -> p.getFileName().toString().startsWith(two)), "the tenant's directory is gone");
      }
      HttpClient http = HttpClient.newHttpClient();
      for (int port : cluster.safekeeperHttpPorts) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tenant/" + two
            + "/timeline/" + twoMain)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode(), "safekeeper on " + port + ": " + r.body());
      }
      assertEquals("1|one\n2|one", cli.sql(urlOne, "SELECT * FROM items ORDER BY id"), "the other tenant is untouched");
    } finally {
      TempDirs.delete(root);
    }
  }

  private static void assertFails(CliHome.Result r, String message) {
    assertEquals(1, r.exit(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  /** Each timeline's id, name, ancestor and branch point: the LSN columns move while endpoint one runs. */
  private static String timelines(CliHome cli) {
    return cli.ok("timeline", "list").lines().map(l -> String.join(" ", java.util.Arrays.asList(l.trim().split("\\s+")).subList(0, 4)))
        .collect(java.util.stream.Collectors.joining("\n"));
  }
}
