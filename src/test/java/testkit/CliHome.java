package testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code .strata} home whose config points the command line at a {@link StorageCluster}, so that
 * tests drive tenants, timelines and endpoints through {@code strata …} as a user would. Endpoint
 * ports are shifted by a random offset, away from a developer's cluster. Closing stops every
 * endpoint this home started (its compute node and PostgreSQL) and deletes the home.
 */
public final class CliHome implements AutoCloseable {
  public final Path home;
  private final int portOffset = 100 * ThreadLocalRandom.current().nextInt(10, 50);

  public record Result(int exit, String out, String err) {
    /** The first line of stdout, trimmed: the id a create command prints. */
    public String firstLine() {
      return out.lines().findFirst().orElse("").strip();
    }
  }

  public CliHome(StorageCluster cluster) {
    try {
      home = Files.createTempDirectory("strata-home-");
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));   // PostgreSQL's OS user works inside
      Files.writeString(home.resolve("config"), "safekeepers = \"" + cluster.safekeeperList() + "\"\n"
          + "safekeeper-http = \"" + cluster.safekeeperHttpList() + "\"\n"
          + "pageserver.pg = \"127.0.0.1:" + cluster.pageserverPgPort + "\"\n"
          + "pageserver.http = \"http://127.0.0.1:" + cluster.pageserverHttpPort + "\"\n"
          + "seed = \"" + cluster.seedAddress() + "\"\n"
          + "port-offset = " + portOffset + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes {@code tenant} the default tenant, as ./strata up does. */
  public void setDefaultTenant(String tenant) {
    try {
      Files.writeString(home.resolve("config"), "tenant = \"" + tenant + "\"\n", java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code strata ARGS…} with this home, to completion. */
  public Result run(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", StrataProcess.jar().toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return exec(cmd, 300);
  }

  /** {@code strata ARGS…} that must succeed; its stdout. */
  public String ok(String... args) {
    Result r = run(args);
    if (r.exit() != 0) throw new AssertionError("strata " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.out() + r.err());
    return r.out();
  }

  /** psql with ON_ERROR_STOP; unaligned tuples only. */
  public Result psql(String url, String... sql) {
    List<String> cmd = new ArrayList<>(List.of(PostgresFixture.bin("psql"), url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
    for (String c : sql) cmd.addAll(List.of("-c", c));
    return exec(cmd, 120);
  }

  /** psql that must succeed; its output, trimmed. */
  public String sql(String url, String... sql) {
    Result r = psql(url, sql);
    if (r.exit() != 0) throw new AssertionError("psql " + String.join("; ", sql) + " exited " + r.exit() + ":\n" + r.out() + r.err());
    return r.out().strip();
  }

  private Result exec(List<String> cmd, int timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("STRATA_HOME", home.toString());
    StrataProcess.Result r = StrataProcess.run(pb, Duration.ofSeconds(timeoutSeconds));
    return new Result(r.exitCode(), r.stdout(), r.stderr());
  }

  /** Stops the endpoints that run (gracefully, then by force), then deletes the home. */
  @Override
  public void close() {
    Path endpoints = home.resolve("endpoints");
    if (Files.isDirectory(endpoints)) {
      try (var files = Files.list(endpoints)) {
        for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".json"))::iterator) {
          String name = f.getFileName().toString().replaceFirst("\\.json$", "");
          try {
            run("endpoint", "stop", name);
          } catch (AssertionError | RuntimeException e) {
            // forced below
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    killLeftovers();
    TempDirs.delete(home);
  }

  /** Whatever a failed stop left: node processes by pid file, and postmasters by their pid files. */
  private void killLeftovers() {
    try (var files = Files.walk(home)) {
      for (Path f : (Iterable<Path>) files.filter(x -> x.getFileName().toString().matches("endpoint-.*\\.pid|postmaster\\.pid"))::iterator) {
        try {
          long pid = Long.parseLong(Files.readAllLines(f).get(0).trim());
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | RuntimeException e) {
          // gone already
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
