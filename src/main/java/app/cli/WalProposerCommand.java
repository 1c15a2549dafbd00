package app.cli;

import actors.proposer.PostgresUrl;
import actors.proposer.WalProposer;
import akka.actor.typed.ActorSystem;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata walproposer}: the proposer of one timeline, streaming a local PostgreSQL's WAL to the safekeepers. */
@Command(name = "walproposer", mixinStandardHelpOptions = true,
    description = {"Stream WAL from a PostgreSQL 15 to the timeline's safekeepers as its Paxos proposer, and report the",
        "quorum-committed LSN back as the standby 'walproposer' (use synchronous_standby_names = 'walproposer').",
        "Creates the physical replication slot if it is missing. Runs until killed; logs one line per state change."})
public final class WalProposerCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ProposerOptions options;

  @Option(names = "--postgres", required = true, paramLabel = "URL",
      description = "postgresql://user[:password]@host:port/db of the PostgreSQL (a role with REPLICATION; superuser for a fresh timeline).")
  String postgres;

  @Option(names = "--slot", defaultValue = "walproposer", paramLabel = "NAME", description = "Physical replication slot (default: ${DEFAULT-VALUE}).")
  String slot;

  @Option(names = "--start-lsn", paramLabel = "X/Y",
      description = "Where the timeline's WAL starts when no safekeeper has it yet (default: the redo point of a checkpoint forced now).")
  String startLsn;

  @Override
  public Integer call() {
    PostgresUrl url;
    try {
      url = PostgresUrl.parse(postgres);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    var base = options.settings(spec.commandLine(), Optional.of(url));
    var settings = new actors.proposer.ProposerSettings(base.safekeepers(), base.tenantId(), base.timelineId(), base.postgres(),
        slot, base.reconnect(), base.silence(), base.heartbeat(), base.windowBytes(), base.bufferBytes());
    wire.xlog.Lsn fresh = wire.xlog.Lsn.INVALID;
    if (startLsn != null) {
      try {
        fresh = wire.xlog.Lsn.parse(startLsn);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--start-lsn: " + e.getMessage());
      }
    }
    ActorSystem<WalProposer.Command> system = ActorSystem.create(WalProposer.normal(settings, fresh), "walproposer",
        ProposerOptions.localConfig(""), WalProposer.DISPATCHER);
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
