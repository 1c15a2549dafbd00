package app.cli;

import actors.proposer.WalProposer;
import actors.proposer.WalProposer.SyncOutcome;
import app.Failure;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata sync-safekeepers}: elect, make a quorum agree on the end of WAL, print that LSN. */
@Command(name = "sync-safekeepers", mixinStandardHelpOptions = true,
    description = {"Run one election on the timeline's safekeepers without PostgreSQL, make a quorum hold and commit",
        "everything up to the end of the elected WAL, and print that LSN as X/Y (0/0 when no safekeeper has WAL).",
        "Logs go to stderr only with --verbose."})
public final class SyncSafekeepersCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ProposerOptions options;

  @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--verbose", description = "Log the election to stderr.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (timeoutSeconds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
    var settings = options.settings(spec.commandLine(), Optional.empty());
    Logs.toStderr(verbose);
    CompletableFuture<SyncOutcome> result = new CompletableFuture<>();
    AtomicReference<ActorRef<WalProposer.Command>> proposer = new AtomicReference<>();
    ActorSystem<SyncOutcome> system = ActorSystem.create(Behaviors.setup(ctx -> {
      proposer.set(ctx.spawn(WalProposer.sync(settings, ctx.getSelf()), "proposer"));
      return Behaviors.receiveMessage(outcome -> {
        result.complete(outcome);
        return Behaviors.stopped();
      });
    }), "sync-safekeepers", ProposerOptions.localConfig("akka.stdout-loglevel = OFF\nakka.log-dead-letters = off\n"
        + (verbose ? "" : "akka.loglevel = OFF\n")));
    try {
      SyncOutcome outcome = result.get(timeoutSeconds, TimeUnit.SECONDS);
      if (outcome instanceof WalProposer.SyncFailed f) throw new Failure("sync-safekeepers failed: " + f.message());
      spec.commandLine().getOut().println(((WalProposer.Synced) outcome).lsn());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (TimeoutException e) {
      throw new Failure("sync-safekeepers did not finish within " + timeoutSeconds + " s: " + status(system, proposer.get()));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String status(ActorSystem<?> system, ActorRef<WalProposer.Command> proposer) {
    try {
      WalProposer.Status s = AskPattern.<WalProposer.Command, WalProposer.Status>ask(proposer, WalProposer.GetStatus::new,
          Duration.ofSeconds(2), system.scheduler()).toCompletableFuture().get(3, TimeUnit.SECONDS);
      return "phase=" + s.phase() + " term=" + s.term() + " term_start_lsn=" + s.termStartLsn() + " commit_lsn=" + s.commitLsn()
          + " flush_acks=" + s.flushAcks();
    } catch (Exception e) {
      return "no status from the proposer";
    }
  }
}
