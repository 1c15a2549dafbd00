package actors.pageserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tenant's effective settings for GC and compaction (reference pageserver.md §4.9): the node's
 * defaults ({@code strata.pageserver.*}) with the tenant's overrides applied. Durations are written as
 * strings ("7 days", "1h", "0s"), sizes as numbers of bytes.
 *
 * @param gcHorizon bytes of WAL below last_record_lsn that GC keeps
 * @param pitrInterval how far back in time GC keeps history (point-in-time reads and branches)
 * @param checkpointDistance WAL in the open layer that freezes it (new timelines and restarts pick it up)
 * @param compactionThreshold L0 files that trigger L0 → L1 compaction
 * @param imageCreationThreshold deltas stacked over a partition that make an image layer worth writing
 */
public record TenantConfig(long gcHorizon, Duration pitrInterval, long checkpointDistance, int compactionThreshold,
    int imageCreationThreshold, Duration gcPeriod, Duration compactionPeriod) {

  public static final String[] FIELDS = {"gc_horizon", "pitr_interval", "checkpoint_distance", "compaction_threshold",
      "image_creation_threshold", "gc_period", "compaction_period"};

  /** A value a user gave that cannot be used; the message names the field and the value. */
  public static final class BadConfig extends IllegalArgumentException {
    public BadConfig(String message) {
      super(message);
    }
  }

  public static TenantConfig defaults(PageserverSettings s) {
    return new TenantConfig(s.gcHorizon(), s.pitrInterval(), s.checkpointDistance(), s.compactionThreshold(),
        s.imageCreationThreshold(), s.gcPeriod(), s.compactionPeriod());
  }

  /** This config with the fields of {@code overrides} (a JSON object of the names in {@link #FIELDS}) applied. */
  public TenantConfig with(JsonNode overrides) {
    if (overrides == null || overrides.isNull()) return this;
    if (!overrides.isObject()) throw new BadConfig("tenant config must be a JSON object, got " + overrides);
    TenantConfig c = this;
    for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNull()) continue;
      switch (e.getKey()) {
        case "gc_horizon" -> c = new TenantConfig(bytes(e.getKey(), v, 0), c.pitrInterval, c.checkpointDistance, c.compactionThreshold,
            c.imageCreationThreshold, c.gcPeriod, c.compactionPeriod);
        case "pitr_interval" -> c = new TenantConfig(c.gcHorizon, duration(e.getKey(), v, true), c.checkpointDistance,
            c.compactionThreshold, c.imageCreationThreshold, c.gcPeriod, c.compactionPeriod);
        case "checkpoint_distance" -> c = new TenantConfig(c.gcHorizon, c.pitrInterval, bytes(e.getKey(), v, 8192), c.compactionThreshold,
            c.imageCreationThreshold, c.gcPeriod, c.compactionPeriod);
        case "compaction_threshold" -> c = new TenantConfig(c.gcHorizon, c.pitrInterval, c.checkpointDistance, count(e.getKey(), v, 2),
            c.imageCreationThreshold, c.gcPeriod, c.compactionPeriod);
        case "image_creation_threshold" -> c = new TenantConfig(c.gcHorizon, c.pitrInterval, c.checkpointDistance, c.compactionThreshold,
            count(e.getKey(), v, 1), c.gcPeriod, c.compactionPeriod);
        case "gc_period" -> c = new TenantConfig(c.gcHorizon, c.pitrInterval, c.checkpointDistance, c.compactionThreshold,
            c.imageCreationThreshold, duration(e.getKey(), v, false), c.compactionPeriod);
        case "compaction_period" -> c = new TenantConfig(c.gcHorizon, c.pitrInterval, c.checkpointDistance, c.compactionThreshold,
            c.imageCreationThreshold, c.gcPeriod, duration(e.getKey(), v, false));
        default -> throw new BadConfig("unknown tenant config field '" + e.getKey() + "' (known: " + String.join(", ", FIELDS) + ")");
      }
    }
    return c;
  }

  /** The effective config as JSON fields. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gc_horizon", gcHorizon);
    m.put("pitr_interval", format(pitrInterval));
    m.put("checkpoint_distance", checkpointDistance);
    m.put("compaction_threshold", compactionThreshold);
    m.put("image_creation_threshold", imageCreationThreshold);
    m.put("gc_period", format(gcPeriod));
    m.put("compaction_period", format(compactionPeriod));
    return m;
  }

  /** A duration as the shortest exact string in seconds, minutes, hours or days. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) return ms + "ms";
    long s = ms / 1000;
    if (s != 0 && s % 86400 == 0) return s / 86400 + "d";
    if (s != 0 && s % 3600 == 0) return s / 3600 + "h";
    if (s != 0 && s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }

  private static long bytes(String field, JsonNode v, long min) {
    if (!v.isIntegralNumber() || v.asLong() < min) {
      throw new BadConfig("tenant config " + field + " must be a number of bytes of at least " + min + ", got " + v);
    }
    return v.asLong();
  }

  private static int count(String field, JsonNode v, int min) {
    if (!v.isInt() || v.asInt() < min) throw new BadConfig("tenant config " + field + " must be an integer of at least " + min + ", got " + v);
    return v.asInt();
  }

  private static Duration duration(String field, JsonNode v, boolean zeroAllowed) {
    if (!v.isTextual()) throw new BadConfig("tenant config " + field + " must be a duration string like \"7 days\" or \"1h\", got " + v);
    Duration d;
    try {
      d = ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(v.asText())).getDuration("d");
    } catch (ConfigException e) {
      throw new BadConfig("tenant config " + field + " is not a duration: " + v);
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new BadConfig("tenant config " + field + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", got " + v);
    }
    return d;
  }
}
