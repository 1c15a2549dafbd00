package testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A long-running {@code strata} command (a proposer) in the background. Its log is attached to
 * failing tests through {@link ProcessLogs}; it can be paused and resumed like a stalled process.
 */
public final class CliProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private final AutoCloseable logRegistration;

  private CliProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.logRegistration = ProcessLogs.register(name, () -> PostgresFixture.tail(log, 60));
  }

  /** Starts {@code strata ARGS…}, its output going to {@code log}. */
  public static CliProcess start(String name, Path log, String... args) {
    return new CliProcess(name, StrataProcess.launchCli(log, args), log);
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process has written so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until its log contains {@code text}. */
  public void awaitLog(Duration timeout, String text) {
    StrataProcess.await(timeout, name + " to log '" + text + "'", () -> log().contains(text));
  }

  /** SIGSTOP: the process stays connected but does nothing, like a stalled machine. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after 20 s. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      resume();   // a stopped process ignores SIGTERM until continued
      stop();
    }
    try {
      logRegistration.close();
    } catch (Exception ignored) {
      // removing from a list cannot fail
    }
  }
}
