package app.cli;

import actors.node.NodeGuardian;
import actors.node.NodeSettings;
import app.Failure;
import app.config.NodeConfig;
import app.config.Preflight;
import app.http.HttpRoutes;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata node --config FILE}: one ActorSystem with the roles its config names. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one Strata node. FILE is HOCON; any akka.* or strata.* key may also be set with -Dkey=value.")
public final class NodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The node's HOCON configuration.")
  Path configFile;

  @Override
  public Integer call() {
    Config config = NodeConfig.load(configFile);
    NodeSettings settings;
    try {
      settings = NodeSettings.from(config);
    } catch (IllegalArgumentException e) {
      throw new Failure(e.getMessage());
    }
    Preflight.check(settings, config.getString("akka.remote.artery.canonical.hostname"));

    ActorSystem<Void> system = ActorSystem.create(NodeGuardian.create(settings, new HttpRoutes()), "strata", config);
    try {
      AkkaManagement.get(Adapter.toClassic(system)).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      throw new Failure("cannot start Akka Management HTTP on " + settings.managementHost() + ":" + settings.managementPort()
          + ": " + (e instanceof CompletionException || e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
    }
    log.info("node up node_id={} management=http://{}:{}", Long.toUnsignedString(settings.nodeId()),
        settings.managementHost(), settings.managementPort());
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
