package store.remote;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How often and how patiently one object-store call is retried after a transient failure (5xx,
 * connection refused or reset, timeout): the delay starts at {@code minBackoff} and doubles up to
 * {@code maxBackoff}; after {@code maxAttempts} attempts in all the call fails with the last error.
 */
public record RetryPolicy(int maxAttempts, Duration minBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(10));

  public RetryPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("strata.s3.retry.max-attempts must be at least 1, got " + maxAttempts);
    if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("strata.s3.retry backoff needs 0 <= min-backoff <= max-backoff, got "
          + minBackoff + " and " + maxBackoff);
    }
  }

  /** Reads {@code max-attempts}, {@code min-backoff} and {@code max-backoff} from a {@code strata.s3.retry} block. */
  static RetryPolicy fromConfig(Config retry) {
    return new RetryPolicy(retry.getInt("max-attempts"), retry.getDuration("min-backoff"), retry.getDuration("max-backoff"));
  }

  /** The wait before attempt number {@code attempt} (2 for the first retry). */
  public Duration delayBefore(int attempt) {
    long millis = minBackoff.toMillis();
    for (int i = 2; i < attempt && millis < maxBackoff.toMillis(); i++) millis *= 2;
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }
}
