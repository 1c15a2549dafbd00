package app.cli;

import app.Failure;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the local cluster's services are: {@code .strata/config}, written by {@code ./strata up}
 * ({@code $STRATA_HOME} moves it). Commands take an explicit URL first and fall back to this file.
 */
final class LocalCluster {
  private final Config config;

  private LocalCluster(Config config) {
    this.config = config;
  }

  static Path home() {
    String env = System.getenv("STRATA_HOME");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of(".strata");
  }

  static LocalCluster load() {
    Path file = home().resolve("config");
    if (!Files.isRegularFile(file)) return new LocalCluster(ConfigFactory.empty());
    return new LocalCluster(ConfigFactory.parseFile(file.toFile()));
  }

  Optional<String> get(String key) {
    return config.hasPath(key) ? Optional.of(config.getString(key)) : Optional.empty();
  }

  /** {@code port-offset}: added to every port of the local cluster (two clusters on one machine); 0 when unset. */
  int portOffset() {
    if (!config.hasPath("port-offset")) return 0;
    try {
      return config.getInt("port-offset");
    } catch (com.typesafe.config.ConfigException e) {
      throw new Failure("port-offset in " + home().resolve("config") + " must be a number: " + e.getMessage());
    }
  }

  /** The explicit value, else the config's, else a failure that says how to give it. */
  String require(String explicit, String key, String option) {
    if (explicit != null && !explicit.isEmpty()) return explicit;
    return get(key).orElseThrow(() -> new Failure("no " + option + " given and no local cluster config at "
        + home().resolve("config") + " (run ./strata up, or pass " + option + ")"));
  }
}
