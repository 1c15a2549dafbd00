package actors.pageserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * How a timeline's {@link WalReceiver} picks, watches and retries safekeepers (pageserver.md §9),
 * read once from {@code strata.pageserver.walreceiver.*}.
 *
 * @param connectTimeout    drop a connection that sent no message (keepalive or WAL) for this long
 * @param laggingWalTimeout drop a connection that sent no WAL for this long while its safekeeper has more;
 *                          safekeepers absent from the gossip for this long are forgotten
 * @param maxLsnWalLag      switch when another safekeeper's commit_lsn is ahead by at least this many bytes
 * @param retryMin          first wait before connecting again to a safekeeper whose connection ended
 * @param retryMax          the wait never grows past this
 * @param retryMultiplier   each further failure multiplies the wait by this
 * @param applicationName   sent in the startup packet; safekeepers treat names starting "pageserver" as pageservers
 */
public record WalReceiverSettings(Duration connectTimeout, Duration laggingWalTimeout, long maxLsnWalLag,
    Duration retryMin, Duration retryMax, double retryMultiplier, String applicationName) {
  public static final String PREFIX = "strata.pageserver.walreceiver.";

  public WalReceiverSettings {
    positive("connect-timeout", connectTimeout);
    positive("lagging-wal-timeout", laggingWalTimeout);
    positive("retry-min-backoff", retryMin);
    if (maxLsnWalLag <= 0) throw invalid("max-lsn-wal-lag", maxLsnWalLag + " bytes", "more than 0 bytes");
    if (retryMax.compareTo(retryMin) < 0) throw invalid("retry-max-backoff", retryMax, "at least retry-min-backoff (" + retryMin + ")");
    if (!(retryMultiplier >= 1.0 && retryMultiplier <= 10.0)) throw invalid("retry-backoff-multiplier", retryMultiplier, "1.0 to 10.0");
    if (!applicationName.startsWith("pageserver")) {
      throw invalid("application-name", "'" + applicationName + "'", "a name starting with 'pageserver' (safekeepers take its feedback only then)");
    }
  }

  /** Neon's defaults: 10 s, 10 s, 1 GiB, 0.1 s to 15 s ×1.5. */
  public static WalReceiverSettings defaults() {
    return new WalReceiverSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), 1L << 30,
        Duration.ofMillis(100), Duration.ofSeconds(15), 1.5, "pageserver");
  }

  /** Reads the keys under {@link #PREFIX}; a missing or malformed key names itself. */
  public static WalReceiverSettings from(Config config) {
    try {
      Config c = config.getConfig("strata.pageserver.walreceiver");
      return new WalReceiverSettings(c.getDuration("connect-timeout"), c.getDuration("lagging-wal-timeout"),
          c.getBytes("max-lsn-wal-lag"), c.getDuration("retry-min-backoff"), c.getDuration("retry-max-backoff"),
          c.getDouble("retry-backoff-multiplier"), c.getString("application-name"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) throw invalid(key, d, "a duration above 0");
  }

  private static IllegalArgumentException invalid(String key, Object value, String allowed) {
    return new IllegalArgumentException(PREFIX + key + " is " + value + "; allowed: " + allowed);
  }
}
