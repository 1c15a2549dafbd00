package actors.compute;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compute's Prometheus meters: {@code strata_compute_status{status}} is 1 for the current
 * state and 0 for the others, {@code strata_compute_startup_seconds{step}} the last start's
 * spans, {@code strata_compute_last_active_seconds} users' last activity (epoch seconds).
 * The ComputeNode publishes into it; gauges read on scrape.
 */
public final class ComputeMetrics {
  private final AtomicReference<ComputeState> state = new AtomicReference<>(ComputeState.EMPTY);
  private final AtomicReference<StartupSpans> spans = new AtomicReference<>(StartupSpans.waitedForSpec(Duration.ZERO));
  private final AtomicReference<Instant> lastActive = new AtomicReference<>();

  private ComputeMetrics() {}

  public static ComputeMetrics register(MeterRegistry registry) {
    ComputeMetrics m = new ComputeMetrics();
    for (ComputeState s : ComputeState.values()) {
      Gauge.builder("strata_compute_status", m, x -> x.state.get() == s ? 1 : 0).tag("status", s.json())
          .description("1 for the compute's current state").register(registry);
    }
    for (StartupStep step : StartupStep.values()) {
      Gauge.builder("strata_compute_startup_seconds", m, x -> {
        Duration d = x.spans.get().steps().get(step);
        return d == null ? Double.NaN : d.toNanos() / 1e9;
      }).tag("step", step.metricName().replace("_ms", "")).description("time the last start spent in each step").register(registry);
    }
    Gauge.builder("strata_compute_startup_seconds", m, x -> x.spans.get().total().map(d -> d.toNanos() / 1e9).orElse(Double.NaN))
        .tag("step", "total").description("time the last start spent in each step").register(registry);
    Gauge.builder("strata_compute_last_active_seconds", m, x -> {
      Instant at = x.lastActive.get();
      return at == null ? Double.NaN : at.toEpochMilli() / 1e3;
    }).description("when users were last active, seconds since the epoch").register(registry);
    return m;
  }

  void state(ComputeState s) {
    state.set(s);
  }

  void spans(StartupSpans s) {
    spans.set(s);
  }

  void lastActive(Instant at) {
    lastActive.set(at);
  }
}
