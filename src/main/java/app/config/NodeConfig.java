package app.config;

import app.Failure;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a node's configuration: -Dkey=value first, then the node's FILE, then application.conf,
 * then every library's reference.conf.
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load(Path file) {
    if (!Files.isRegularFile(file)) throw new Failure("config file " + file + " does not exist or is not a file");
    if (!Files.isReadable(file)) throw new Failure("config file " + file + " is not readable");
    Config fromFile;
    try {
      fromFile = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new Failure("malformed config " + file + ": " + e.getMessage());
    }
    try {
      ConfigFactory.invalidateCaches();
      return ConfigFactory.systemProperties()
          .withFallback(fromFile)
          .withFallback(ConfigFactory.defaultApplication())
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
    } catch (ConfigException e) {
      throw new Failure("invalid config " + file + ": " + e.getMessage());
    }
  }
}
