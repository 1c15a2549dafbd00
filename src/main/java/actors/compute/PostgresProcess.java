package actors.compute;

import akka.actor.typed.ActorSystem;
import akka.pattern.Patterns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import store.redo.RunAs;

/**
 * The compute's postmaster: {@code postgres -D pgdata} started directly as the PostgreSQL OS user
 * (through runuser when we are root, which waits for it, so its exit is ours to see), output
 * appended to postgres.log. Ready when postmaster.pid's status line says {@code ready} (what
 * {@code pg_ctl -w} waits for; a hot standby says it once it accepts read-only connections).
 * Stopped with {@code pg_ctl stop -m fast|immediate}.
 */
public final class PostgresProcess implements ComputeSteps.Postgres {
  private static final Duration POLL = Duration.ofMillis(10);   // the scheduler's tick: readiness is seen within one
  private static final int PID_FILE_STATUS_LINE = 7;   // LOCK_FILE_LINE_PM_STATUS (8), counted from 0

  private final ComputeSettings settings;
  private final Process process;
  private final Executor blocking;

  private PostgresProcess(ComputeSettings settings, Process process, Executor blocking) {
    this.settings = settings;
    this.process = process;
    this.blocking = blocking;
  }

  /** Starts PostgreSQL on the prepared pgdata and completes once it is ready for connections. */
  public static CompletionStage<PostgresProcess> start(ActorSystem<?> system, ComputeSettings settings, Executor blocking) {
    long deadline = System.nanoTime() + settings.postgresStart().toNanos();
    return CompletableFuture.supplyAsync(() -> launch(settings, blocking), blocking)
        .thenCompose(pg -> pg.awaitReady(system, deadline));
  }

  private static PostgresProcess launch(ComputeSettings settings, Executor blocking) {
    List<String> cmd = List.of(settings.binDir().resolve("postgres").toString(), "-D", settings.pgdata().toString());
    try {
      Process p = new ProcessBuilder(RunAs.command(settings.osUser(), cmd)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.postgresLog().toFile())).start();
      return new PostgresProcess(settings, p, blocking);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
  }

  private CompletionStage<PostgresProcess> awaitReady(ActorSystem<?> system, long deadline) {
    if (!process.isAlive()) {
      return CompletableFuture.failedStage(new IllegalStateException("PostgreSQL exited with code " + process.exitValue()
          + " before it was ready; " + settings.postgresLog() + " ends with:\n" + logTail(20)));
    }
    if (ready()) return CompletableFuture.completedStage(this);
    if (System.nanoTime() > deadline) {
      stopNow();
      return CompletableFuture.failedStage(new IllegalStateException("PostgreSQL was not ready within "
          + settings.postgresStart().toSeconds() + " s; " + settings.postgresLog() + " ends with:\n" + logTail(20)));
    }
    return Patterns.after(POLL, system.classicSystem().scheduler(), system.executionContext(), () -> awaitReady(system, deadline));
  }

  private boolean ready() {
    try {
      List<String> lines = Files.readAllLines(settings.pgdata().resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.size() > PID_FILE_STATUS_LINE && lines.get(PID_FILE_STATUS_LINE).strip().equals("ready");
    } catch (IOException e) {
      return false;   // not written yet, or being rewritten
    }
  }

  @Override
  public CompletionStage<Integer> exit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  @Override
  public CompletionStage<Void> stop(TerminationMode mode) {
    return CompletableFuture.runAsync(() -> {
      // A fast stop of a primary keeps sequences exact across restarts; an immediate one skips it.
      if (mode == TerminationMode.FAST && !Files.exists(settings.pgdata().resolve("standby.signal"))) {
        SequenceStates.persist(new actors.proposer.PostgresUrl(settings.localHost(), settings.pgPort(), settings.adminUser(), null,
            "postgres"));
      }
      pgCtlStop(mode);
    }, blocking);
  }

  @Override
  public CompletionStage<Void> reload() {
    return CompletableFuture.runAsync(() -> pgCtl(List.of("reload", "-D", settings.pgdata().toString())), blocking);
  }

  /** Last resort when the compute goes away with PostgreSQL still up: immediate stop, then SIGKILL. Blocking. */
  @Override
  public void stopNow() {
    if (!process.isAlive()) return;
    try {
      pgCtlStop(TerminationMode.IMMEDIATE);
      if (process.waitFor(10, TimeUnit.SECONDS)) return;
    } catch (RuntimeException e) {
      // fall through to the kill
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postmasterPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private void pgCtlStop(TerminationMode mode) {
    pgCtl(List.of("stop", "-D", settings.pgdata().toString(), "-m", mode.word(), "-W"));
  }

  private void pgCtl(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(settings.binDir().resolve("pg_ctl").toString()));
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(RunAs.command(settings.osUser(), cmd)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("pg_ctl " + String.join(" ", args) + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) throw new IllegalStateException("pg_ctl " + args.get(0) + " failed with code " + p.exitValue() + ": " + out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run pg_ctl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running pg_ctl " + args.get(0), e);
    }
  }

  private java.util.Optional<Long> postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(settings.pgdata().resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** The last lines of postgres.log, for error texts. */
  String logTail(int lines) {
    return tail(settings.postgresLog(), lines);
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
