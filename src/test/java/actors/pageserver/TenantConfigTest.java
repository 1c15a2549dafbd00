package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenant config: overrides over defaults, the JSON round trip, the file, and bad values named. */
class TenantConfigTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final TenantConfig DEFAULTS = new TenantConfig(64L << 20, Duration.ofDays(7), 256L << 20, 10, 3,
      Duration.ofSeconds(60), Duration.ofSeconds(20));
  @TempDir Path dir;

  @Test
  void overridesReplaceOnlyTheirFieldsAndRoundTripThroughJson() throws Exception {
    TenantConfig c = DEFAULTS.with(M.readTree("{\"gc_horizon\": 1048576, \"pitr_interval\": \"0s\", \"gc_period\": \"1h\","
        + " \"compaction_period\": \"7 days\", \"image_creation_threshold\": 1}"));
    assertEquals(new TenantConfig(1L << 20, Duration.ZERO, 256L << 20, 10, 1, Duration.ofHours(1), Duration.ofDays(7)), c);
    assertEquals(c, DEFAULTS.with(M.valueToTree(c.toJson())));
    assertEquals("7d", c.toJson().get("compaction_period"));
    assertEquals(DEFAULTS, DEFAULTS.with(M.readTree("{}")));
  }

  @Test
  void theFileKeepsTheOverrides() throws Exception {
    var overrides = M.readTree("{\"checkpoint_distance\": 65536}");
    TenantConfigFile.save(dir, overrides);
    assertEquals(overrides, TenantConfigFile.load(dir));
    assertEquals(65536, DEFAULTS.with(TenantConfigFile.load(dir)).checkpointDistance());
  }

  @Test
  void badValuesAreNamed() {
    assertNamed("{\"gc_horizon\": -1}", "gc_horizon", "-1");
    assertNamed("{\"pitr_interval\": \"soon\"}", "pitr_interval", "soon");
    assertNamed("{\"pitr_interval\": 5}", "pitr_interval", "5");
    assertNamed("{\"gc_period\": \"0s\"}", "gc_period", "0s");
    assertNamed("{\"compaction_threshold\": 1}", "compaction_threshold", "1");
    assertNamed("{\"checkpoint_distance\": 100}", "checkpoint_distance", "100");
    assertNamed("{\"gc_horizonn\": 1}", "gc_horizonn", "gc_horizon");
  }

  private static void assertNamed(String json, String field, String value) {
    var e = assertThrows(TenantConfig.BadConfig.class, () -> DEFAULTS.with(M.readTree(json)));
    assertTrue(e.getMessage().contains(field) && e.getMessage().contains(value), e.getMessage());
  }
}
