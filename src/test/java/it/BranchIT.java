package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import testkit.CliHome;
import testkit.StorageCluster;
import testkit.TempDirs;

/**
 * Branches through the command line: a branch at an LSN sees the state then; writes on a branch and
 * on its parent stay apart; a branch of a branch of a branch reads through two ancestors; branching
 * copies no data and is quick; the branch LSN is checked against the ancestor's history.
 */
class BranchIT {
  private static final String COUNT = "SELECT batch, count(*) FROM items GROUP BY batch ORDER BY batch";
  private static Path root;
  private static StorageCluster cluster;
  private static CliHome cli;
  private static String tenant;

  @BeforeAll
  static void start() throws IOException {
    root = Files.createTempDirectory("strata-branch-");
    cluster = new StorageCluster(root).start();
    cli = new CliHome(cluster);
    tenant = cli.ok("tenant", "create").strip();
    cli.setDefaultTenant(tenant);
  }

  @AfterAll
  static void stop() {
    if (cli != null) cli.close();
    if (cluster != null) cluster.close();
    TempDirs.delete(root);
  }

  private static String batch(String url, String name, int from, int to) {
    return cli.sql(url, "INSERT INTO items SELECT g, '" + name + "' FROM generate_series(" + from + ", " + to + ") g");
  }

  @Test
  void aBranchSeesTheStateAtItsLsnAndWritesStayOnTheirOwnSide() {
    cli.ok("timeline", "create", "--name", "main");
    cli.ok("endpoint", "create", "main", "--timeline", "main");
    String main = cli.ok("endpoint", "start", "main").strip();
    cli.sql(main, "CREATE TABLE items (id int PRIMARY KEY, batch text)");
    batch(main, "A", 1, 100);
    String afterA = cli.sql(main, "SELECT pg_current_wal_lsn()");
    batch(main, "B", 101, 200);

    String b1 = cli.ok("timeline", "branch", "--from", "main", "--lsn", afterA, "--name", "b1").strip();
    assertTrue(b1.matches("[0-9a-f]{32}"), "branch prints the new id: " + b1);
    cli.ok("endpoint", "create", "b1", "--timeline", "b1");
    String onB1 = cli.ok("endpoint", "start", "b1").strip();
    assertEquals("A|100", cli.sql(onB1, COUNT), "the branch sees batch A and not B");

    batch(onB1, "C", 1001, 1010);
    batch(main, "D", 2001, 2010);
    assertEquals("A|100\nC|10", cli.sql(onB1, COUNT), "the parent's later writes stay off the branch");
    assertEquals("A|100\nB|100\nD|10", cli.sql(main, COUNT), "the branch's writes stay off the parent");

    // a branch of a branch of a branch reads through two ancestors
    String afterC = cli.sql(onB1, "SELECT pg_current_wal_lsn()");
    cli.ok("timeline", "branch", "--from", b1, "--lsn", afterC, "--name", "b2");
    String b3 = cli.ok("timeline", "branch", "--from", "b2", "--name", "b3").strip();
    cli.ok("endpoint", "stop", "b1");
    cli.ok("endpoint", "create", "b3", "--timeline", b3);
    String onB3 = cli.ok("endpoint", "start", "b3").strip();
    assertEquals("A|100\nC|10", cli.sql(onB3, COUNT));
    batch(onB3, "E", 3001, 3005);
    assertEquals("A|100\nC|10\nE|5", cli.sql(onB3, COUNT));
    assertEquals("A|100\nB|100\nD|10", cli.sql(main, COUNT));

    String list = cli.ok("timeline", "list");
    assertTrue(list.lines().anyMatch(l -> l.startsWith(b3 + " b3 ")), list);
    cli.ok("endpoint", "stop", "b3");
    cli.ok("endpoint", "stop", "main");
  }

  @Test
  void branchingASizeableTimelineWritesOnlyMetadataAndChecksTheLsn() throws Exception {
    String big = cli.ok("timeline", "create", "--name", "big").strip();
    cli.ok("endpoint", "create", "big", "--timeline", "big");
    String url = cli.ok("endpoint", "start", "big").strip();
    cli.sql(url, "CREATE TABLE items (id int PRIMARY KEY, batch text, pad text)",
        "INSERT INTO items SELECT g, 'big', repeat(md5(g::text), 6) FROM generate_series(1, 200000) g");
    String end = cli.sql(url, "SELECT pg_current_wal_lsn()");
    cli.ok("endpoint", "stop", "big");
    awaitIngested(big, end);
    cluster.raw("PUT", "/v1/tenant/" + tenant + "/timeline/" + big + "/checkpoint", null);

    Path pageserverData = root.resolve("pageserver");
    long before = du(pageserverData);
    long t0 = System.nanoTime();
    JsonNode branch = cluster.post("/v1/tenant/" + tenant + "/timeline", Map.of("ancestor_timeline_id", big), 201);
    long micros = (System.nanoTime() - t0) / 1000;
    long after = du(pageserverData);
    String id = branch.path("timeline_id").asText();
    List<String> files = filesOf(pageserverData, id);
    System.out.printf("BranchIT: branching a timeline of %d MiB on disk took %d us over HTTP; pageserver disk %d -> %d bytes; "
        + "new timeline files %s%n", before >> 20, micros, before, after, files);
    assertEquals(List.of("metadata"), files, "a branch writes its metadata and no layer file");
    assertTrue(after - before < 64 * 1024, "a branch adds no data: " + before + " -> " + after);
    assertEquals(branch.path("ancestor_lsn").asText(), branch.path("last_record_lsn").asText(), "it starts at its branch point");

    String initdb = branch.path("initdb_lsn").asText();
    assertRefused(big, "FFFF/0", "beyond the last record LSN");
    assertRefused(big, "0/8", "before the initdb LSN " + initdb);
    assertRefused(id, initdb, "before the branch point");
  }

  private static void assertRefused(String ancestor, String lsn, String why) {
    HttpResponse<String> r = cluster.raw("POST", "/v1/tenant/" + tenant + "/timeline",
        "{\"ancestor_timeline_id\":\"" + ancestor + "\",\"ancestor_start_lsn\":\"" + lsn + "\"}");
    assertEquals(406, r.statusCode(), r.body());
    assertTrue(r.body().contains(why), r.body());
  }

  @Test
  void aBranchAtATimestampHasTheStateCommittedThen() {
    cli.ok("timeline", "create", "--name", "pitr");
    cli.ok("endpoint", "create", "pitr", "--timeline", "pitr");
    String url = cli.ok("endpoint", "start", "pitr").strip();
    cli.sql(url, "CREATE TABLE items (id int PRIMARY KEY, batch text)");
    batch(url, "A", 1, 50);
    String at = cli.sql(url, "SELECT now()");
    cli.sql(url, "SELECT pg_sleep(1.1)");   // commit timestamps on either side of 'at' differ
    batch(url, "B", 51, 100);
    String end = cli.sql(url, "SELECT pg_current_wal_lsn()");
    cli.ok("endpoint", "stop", "pitr");
    awaitIngested(cli.ok("timeline", "list").lines().filter(l -> l.contains(" pitr ")).findFirst().orElseThrow().split(" ")[0], end);
    cli.ok("timeline", "branch", "--from", "pitr", "--at", at, "--name", "pitr-then");
    cli.ok("endpoint", "create", "then", "--timeline", "pitr-then");
    String then = cli.ok("endpoint", "start", "then").strip();
    assertEquals("A|50", cli.sql(then, COUNT));
    cli.ok("endpoint", "stop", "then");
  }

  private static void awaitIngested(String timeline, String lsn) {
    wire.xlog.Lsn target = wire.xlog.Lsn.parse(lsn);
    testkit.StrataProcess.await(java.time.Duration.ofSeconds(120), "timeline " + timeline + " to reach " + lsn,
        () -> !cluster.lastRecordLsn(tenant, timeline).isBefore(target));
  }

  private static long du(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;   // a temp file that went away
        }
      }).sum();
    }
  }

  /** The files of a timeline's directory (found under the pageserver's data dir), sorted. */
  private static List<String> filesOf(Path data, String timeline) throws IOException {
    try (Stream<Path> s = Files.walk(data)) {
      Path dir = s.filter(p -> p.getFileName().toString().equals(timeline) && Files.isDirectory(p)).findFirst()
          .orElseThrow(() -> new AssertionError("no directory for timeline " + timeline));
      try (Stream<Path> f = Files.list(dir)) {
        return f.map(p -> p.getFileName().toString()).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
