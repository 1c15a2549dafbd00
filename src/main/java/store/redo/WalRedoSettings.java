package store.redo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run one redo process.
 *
 * @param binDir   PostgreSQL 15 binaries ({@code strata.postgres.bin-dir})
 * @param osUser   the user postgres runs as ({@code strata.postgres.os-user}); see {@link RunAs}
 * @param workDir  owned by this process alone: scratch cluster, extension, socket, log. Reused by the
 *                 next process started on it, which then skips initdb.
 * @param timeout  how long the process may make no progress before it is declared hung
 */
public record WalRedoSettings(Path binDir, String osUser, Path workDir, Duration timeout) {
  public static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public WalRedoSettings {
    Objects.requireNonNull(binDir, "binDir");
    Objects.requireNonNull(osUser, "osUser");
    Objects.requireNonNull(workDir, "workDir");
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
  }

  /** The default of {@code strata.postgres.os-user}: the current user; {@code strata} when that is root. */
  public static String defaultOsUser() {
    return RunAs.defaultUser();
  }

  public static WalRedoSettings defaults(Path workDir) {
    return new WalRedoSettings(DEFAULT_BIN_DIR, RunAs.defaultUser(), workDir, DEFAULT_TIMEOUT);
  }

  public WalRedoSettings withTimeout(Duration t) {
    return new WalRedoSettings(binDir, osUser, workDir, t);
  }
}
