package testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A local cluster driven the way a user drives it: {@code ./strata} with its own {@code STRATA_HOME}
 * and a random port offset, plus the PostgreSQL client tools against the endpoints it prints.
 */
public final class LocalStrata implements AutoCloseable {
  private static final Pattern MAIN_URL = Pattern.compile("^endpoint main: psql (postgresql://\\S+)$", Pattern.MULTILINE);

  private final Path home;
  private final int portOffset = 100 * ThreadLocalRandom.current().nextInt(10, 50);
  private boolean up;

  private LocalStrata(Path home) {
    this.home = home;
  }

  /** A fresh home (readable by the PostgreSQL OS user); nothing runs yet. */
  public static LocalStrata create(String prefix) throws IOException {
    Path home = Files.createTempDirectory(prefix);
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new LocalStrata(home);
  }

  public Path home() {
    return home;
  }

  /** {@code ./strata up}; returns the URL of endpoint main. */
  public String up() throws IOException, InterruptedException {
    up = true;
    Matcher m = MAIN_URL.matcher(strata("up"));
    assertTrue(m.find(), "a URL from ./strata up");
    return m.group(1);
  }

  /** Runs {@code ./strata ARGS}, which must succeed; returns its output. */
  public String strata(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of("strata").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return run(cmd, 300);
  }

  /** Runs a command with this cluster's environment; it must exit 0 within the timeout. */
  public String run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STRATA_HOME", home.toString());
    pb.environment().put("STRATA_PORT_OFFSET", Integer.toString(portOffset));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  /** psql in unaligned, tuples-only mode, stopping at the first error. */
  public String psql(String url, String... commands) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("psql"), url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
    for (String c : commands) cmd.addAll(List.of("-c", c));
    return run(cmd, 120);
  }

  /** pg_dump of one database, without the random {@code \restrict} key pg_dump 15.14+ adds. */
  public String dump(String url) throws IOException, InterruptedException {
    return run(List.of(PostgresFixture.bin("pg_dump"), "--no-sync", "--no-unlogged-table-data", "-d", url), 120)
        .lines().filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict ")).collect(Collectors.joining("\n"));
  }

  /** pg_amcheck takes database patterns, not URLs: host, port and user come from the URL. */
  public void amcheck(String url, String... options) throws IOException, InterruptedException {
    URI u = URI.create(url);
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("pg_amcheck"), "-h", u.getHost(), "-p", Integer.toString(u.getPort()),
        "-U", u.getUserInfo(), "--all"));
    cmd.addAll(List.of(options));
    run(cmd, 300);
  }

  /** The JDBC URL for a {@code postgresql://user@host:port/db} URL. */
  public static String jdbc(String url) {
    URI u = URI.create(url);
    return "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath() + "?user=" + u.getUserInfo();
  }

  /** The data directory of an endpoint's PostgreSQL. */
  public Path pgdata(String endpoint) {
    return home.resolve("data").resolve("endpoint-" + endpoint).resolve("compute").resolve(endpoint).resolve("pgdata");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (up) strata("down");
    } finally {
      TempDirs.delete(home);
    }
  }
}
