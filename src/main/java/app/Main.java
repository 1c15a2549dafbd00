package app;

import app.cli.EndpointCommand;
import app.cli.NodeCommand;
import app.cli.S3Command;
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
        TenantCommand.class, TimelineCommand.class, EndpointCommand.class, S3Command.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    useCommonPool();
    System.exit(run(args));
  }

  /**
   * CompletableFuture runs async stages without an executor on the common pool only when its
   * parallelism is above 1; below, it starts a new thread for every stage. The common pool's
   * parallelism is the core count minus one, so on a 2-core machine every such stage cost a thread
   * start, and Akka's CompletionStages (ask, queue offer) make their thenApply and whenComplete
   * async: two threads per GetPage request. Must run before anything touches ForkJoinPool.
   */
  static void useCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
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
