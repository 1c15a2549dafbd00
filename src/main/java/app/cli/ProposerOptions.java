package app.cli;

import actors.proposer.PostgresUrl;
import actors.proposer.ProposerSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options both proposer commands share, and the local actor system they run in. */
final class ProposerOptions {
  @Option(names = "--safekeepers", required = true, paramLabel = "H:P,…", description = "The timeline's safekeepers (PostgreSQL-protocol ports).")
  String safekeepers;

  @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant id, 32 hex characters.")
  String tenant;

  @Option(names = "--timeline", required = true, paramLabel = "TL", description = "Timeline id, 32 hex characters.")
  String timeline;

  /** Validated settings; a bad value is a usage error naming it. */
  ProposerSettings settings(CommandLine cmd, Optional<PostgresUrl> postgres) {
    try {
      return ProposerSettings.of(ProposerSettings.parseSafekeepers(safekeepers), tenant, timeline, postgres);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** A plain local actor system: no cluster, no remoting, no management. */
  static Config localConfig(String extra) {
    return ConfigFactory.parseString("akka.actor.provider = local\nakka.coordinated-shutdown.exit-jvm = off\n" + extra)
        .withFallback(ConfigFactory.load());
  }
}
