package actors.safekeeper;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How WAL backup decides and paces (strata.safekeeper.wal-backup): how often it looks, how fresh a
 * peer's gossip must be to count, how far behind the best commit_lsn a peer may be and still be
 * elected, and how often a long upload run logs progress.
 */
public record WalBackupSettings(Duration interval, Duration heartbeat, long maxLagBytes, Duration progressEvery) {
  public static WalBackupSettings fromConfig(Config config) {
    Config c = config.getConfig("strata.safekeeper.wal-backup");
    WalBackupSettings s = new WalBackupSettings(c.getDuration("interval"), c.getDuration("heartbeat-timeout"),
        c.getBytes("max-uploader-lag"), c.getDuration("progress-interval"));
    if (s.interval().isZero() || s.interval().isNegative()) {
      throw new IllegalArgumentException("strata.safekeeper.wal-backup.interval must be positive, got " + s.interval());
    }
    return s;
  }
}
