package actors.compute;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long the last start took, step by step (compute.md A.6 /metrics.json). Steps not run (a
 * static compute has no sync-safekeepers) are absent. Immutable: each step returns a new value.
 */
public record StartupSpans(Duration waitForSpec, Map<StartupStep, Duration> steps, long basebackupBytes,
    Optional<Duration> total) {

  public StartupSpans {
    Map<StartupStep, Duration> copy = new EnumMap<>(StartupStep.class);
    copy.putAll(steps);
    steps = Collections.unmodifiableMap(copy);
  }

  public static StartupSpans waitedForSpec(Duration wait) {
    return new StartupSpans(wait, Map.of(), 0, Optional.empty());
  }

  public StartupSpans with(StartupStep step, Duration took) {
    Map<StartupStep, Duration> m = new EnumMap<>(StartupStep.class);
    m.putAll(steps);
    m.put(step, took);
    return new StartupSpans(waitForSpec, m, basebackupBytes, total);
  }

  public StartupSpans withBasebackupBytes(long bytes) {
    return new StartupSpans(waitForSpec, steps, bytes, total);
  }

  public StartupSpans finished(Duration took) {
    return new StartupSpans(waitForSpec, steps, basebackupBytes, Optional.of(took));
  }

  /** The /metrics.json object: {@code wait_for_spec_ms}, one {@code *_ms} per step run, bytes, {@code total_startup_ms}. */
  public Map<String, Long> json() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("wait_for_spec_ms", waitForSpec.toMillis());
    for (StartupStep s : StartupStep.values()) {
      Duration d = steps.get(s);
      if (d != null) out.put(s.metricName(), d.toMillis());
    }
    out.put("basebackup_bytes", basebackupBytes);
    total.ifPresent(t -> out.put("total_startup_ms", t.toMillis()));
    return out;
  }
}
