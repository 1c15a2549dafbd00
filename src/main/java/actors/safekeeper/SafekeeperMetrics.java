package actors.safekeeper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The safekeeper's meters: WAL appends, bytes, fsyncs and how long fsyncs take. Thread-safe. */
public final class SafekeeperMetrics {
  final Counter appends;
  final Counter appendedBytes;
  final Counter fsyncs;
  final Timer fsyncLatency;

  public SafekeeperMetrics(MeterRegistry registry) {
    appends = Counter.builder("strata_safekeeper_appends").description("AppendRequests with WAL accepted").register(registry);
    appendedBytes = Counter.builder("strata_safekeeper_appended_bytes").baseUnit("bytes")
        .description("WAL bytes written").register(registry);
    fsyncs = Counter.builder("strata_safekeeper_fsyncs").description("WAL fsyncs (one per batch of appends)").register(registry);
    fsyncLatency = Timer.builder("strata_safekeeper_fsync").description("WAL fsync latency")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
        .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
  }
}
