package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;
import testkit.TempDirs;

/**
 * A compute is disposable: after a workload (pgbench, TOAST, sequences, a prepared transaction,
 * unlogged tables, 200 relations, a second database), stopping and starting the endpoint five times
 * gives the same pg_dump each time, a clean pg_amcheck, and the prepared transaction still there.
 * Unlogged tables start empty on a new compute, as after a crash, so their data is not dumped.
 */
class ComputeRestartIT {
  private static final Pattern URL = Pattern.compile("^endpoint main: psql (postgresql://\\S+)$", Pattern.MULTILINE);
  private final int portOffset = 100 * ThreadLocalRandom.current().nextInt(10, 50);

  private String run(Path home, List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STRATA_HOME", home.toString());
    pb.environment().put("STRATA_PORT_OFFSET", Integer.toString(portOffset));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  private String strata(Path home, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of("strata").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return run(home, cmd, 300);
  }

  private String psql(Path home, String url, String... commands) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("psql"), url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
    for (String c : commands) cmd.addAll(List.of("-c", c));
    return run(home, cmd, 120);
  }

  /** pg_amcheck takes database patterns, not URLs: host, port and user from the URL. */
  private void amcheck(Path home, String url, String... options) throws IOException, InterruptedException {
    java.net.URI u = java.net.URI.create(url);
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("pg_amcheck"), "-h", u.getHost(), "-p", Integer.toString(u.getPort()),
        "-U", u.getUserInfo(), "--all"));
    cmd.addAll(List.of(options));
    run(home, cmd, 300);
  }

  private String dump(Path home, String url) throws IOException, InterruptedException {
    // pg_dump 15.14+ brackets its output with a random \restrict key: not part of the data.
    return run(home, List.of(PostgresFixture.bin("pg_dump"), "--no-sync", "--no-unlogged-table-data", "-d", url), 120)
        .lines().filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict ")).collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  void fiveStopsAndStartsKeepEveryCommittedByte() throws Exception {
    Path home = Files.createTempDirectory("strata-restart-");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Matcher m = URL.matcher(strata(home, "up"));
      assertTrue(m.find(), "a URL from ./strata up");
      String url = m.group(1);
      run(home, List.of(PostgresFixture.bin("pgbench"), "-i", "-s", "2", "-q", url), 300);
      run(home, List.of(PostgresFixture.bin("pgbench"), "-c", "2", "-t", "200", "-n", url), 300);
      psql(home, url,
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
      psql(home, url.replaceFirst("/postgres$", "/second"), "CREATE TABLE in_second (x int)", "INSERT INTO in_second VALUES (42)");
      amcheck(home, url, "--install-missing");
      String before = dump(home, url);
      String beforeSecond = dump(home, url.replaceFirst("/postgres$", "/second"));

      for (int round = 1; round <= 5; round++) {
        String stop = strata(home, "endpoint", "stop", "main");
        assertTrue(stop.contains("stopped endpoint main at LSN"), stop);
        String start = strata(home, "endpoint", "start", "main").strip();
        assertTrue(start.startsWith("postgresql://"), start);
        assertEquals(before, dump(home, start), "pg_dump after restart " + round);
        assertEquals(beforeSecond, dump(home, start.replaceFirst("/postgres$", "/second")), "second database after restart " + round);
        amcheck(home, start, "--heapallindexed");
        assertEquals("kept_open", psql(home, start, "SELECT gid FROM pg_prepared_xacts").strip(), "round " + round);
        assertEquals("0", psql(home, start, "SELECT count(*) FROM scratch").strip(), "unlogged tables start empty");
        psql(home, start, "INSERT INTO scratch SELECT generate_series(1, 10)");
      }
      psql(home, url, "COMMIT PREPARED 'kept_open'");
      assertEquals("prepared", psql(home, url, "SELECT body FROM toasty WHERE id = 1000").strip());
    } finally {
      try {
        strata(home, "down");
      } finally {
        TempDirs.delete(home);
      }
    }
  }
}
