package app;

import app.cli.EndpointCommand;
import app.cli.NodeCommand;
import app.cli.SyncSafekeepersCommand;
import app.cli.TenantCommand;
import app.cli.TimelineCommand;
import app.cli.WalProposerCommand;
import app.cli.WaldumpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point of strata.jar. Every command prints --help; usage errors exit 2 and
 * failures exit 1, each with one line on stderr naming what was wrong.
 */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = StrataVersion.class,
    description = "Serverless PostgreSQL storage: safekeepers, pageserver and compute in one jar.",
    subcommands = {NodeCommand.class, WaldumpCommand.class, WalProposerCommand.class, SyncSafekeepersCommand.class,
        TenantCommand.class, TimelineCommand.class, EndpointCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new Failures())
        .setParameterExceptionHandler(new UsageErrors())
        .execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command; see strata --help");
  }

  /** Usage errors: one line and exit 2. */
  static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
      e.getCommandLine().getErr().println("strata: " + e.getMessage());
      return 2;
    }
  }

  /** Failures: one line naming what was wrong, and exit 1. */
  static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
      cmd.getErr().println("strata: " + Failure.describe(e));
      return 1;
    }
  }
}
