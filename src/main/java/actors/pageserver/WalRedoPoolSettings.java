package actors.pageserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import store.redo.WalRedoSettings;

/**
 * How the pageserver runs its WAL redo processes, read once from the config.
 *
 * @param processes how many redo processes (workers), each on its own scratch cluster
 * @param workRoot  their work directories are {@code workRoot/0}, {@code workRoot/1}, …
 * @param binDir    PostgreSQL 15 binaries
 * @param osUser    the OS user the processes run as
 * @param timeout   how long a process may make no progress before it is killed and replaced
 */
public record WalRedoPoolSettings(int processes, Path workRoot, Path binDir, String osUser, Duration timeout) {
  public static final String PROCESSES_KEY = "strata.pageserver.walredo-processes";
  public static final String TIMEOUT_KEY = "strata.pageserver.walredo-timeout";
  public static final int MAX_PROCESSES = 64;

  public WalRedoPoolSettings {
    if (processes < 1 || processes > MAX_PROCESSES) {
      throw new IllegalArgumentException(PROCESSES_KEY + " = " + processes + " is outside 1-" + MAX_PROCESSES);
    }
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException(TIMEOUT_KEY + " = " + timeout + " must be positive");
  }

  /** Reads the strata.pageserver.walredo-* and strata.postgres.* keys; work dirs go under the node's data dir. */
  public static WalRedoPoolSettings from(Config config, Path nodeDataDir) {
    int processes;
    Duration timeout;
    try {
      processes = config.getInt(PROCESSES_KEY);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(PROCESSES_KEY + " must be a number (1-" + MAX_PROCESSES + "), got " + config.getValue(PROCESSES_KEY).render());
    }
    try {
      timeout = config.getDuration(TIMEOUT_KEY);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw new IllegalArgumentException(TIMEOUT_KEY + " must be a duration such as 60s, got " + config.getValue(TIMEOUT_KEY).render());
    }
    String user = config.getString("strata.postgres.os-user").trim();
    return new WalRedoPoolSettings(processes, nodeDataDir.resolve("pageserver").resolve("walredo"),
        Path.of(config.getString("strata.postgres.bin-dir")), user.isEmpty() ? WalRedoSettings.defaultOsUser() : user, timeout);
  }

  /** The settings of worker {@code i}'s process. */
  public WalRedoSettings worker(int i) {
    return new WalRedoSettings(binDir, osUser, workRoot.resolve(Integer.toString(i)), timeout);
  }

  /**
   * How long the pool waits for a worker's answer: a first try and a retry on a new process may
   * each take the whole timeout, and the new process must start in between.
   */
  public Duration askTimeout() {
    return timeout.multipliedBy(3);
  }
}
