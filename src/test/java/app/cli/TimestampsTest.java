package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void rfc3339PassesThrough() {
    assertEquals("2026-11-22T10:00:00Z", Timestamps.toRfc3339("2026-11-22T10:00:00Z"));
    assertEquals("2026-11-22T10:00:00.5+02:00", Timestamps.toRfc3339("2026-11-22T10:00:00.5+02:00"));
  }

  @Test
  void psqlStyleWithShortOffsetBecomesRfc3339() {
    assertEquals("2026-11-22T10:00:00Z", Timestamps.toRfc3339("2026-11-22 10:00:00+00"));
    assertEquals("2026-11-22T10:00:00.123456-05:30", Timestamps.toRfc3339("2026-11-22 10:00:00.123456-0530"));
    assertEquals("2026-11-22T10:00:00Z", Timestamps.toRfc3339("2026-11-22 10:00+00"));
  }

  @Test
  void aTimeWithoutOffsetOrAnImpossibleDateIsRefusedNamingTheText() {
    var noZone = assertThrows(IllegalArgumentException.class, () -> Timestamps.toRfc3339("2026-11-22 10:00:00"));
    assertTrue(noZone.getMessage().contains("'2026-11-22 10:00:00'"), noZone.getMessage());
    var bad = assertThrows(IllegalArgumentException.class, () -> Timestamps.toRfc3339("2026-02-30 10:00:00+00"));
    assertTrue(bad.getMessage().contains("2026-02-30"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Timestamps.toRfc3339("yesterday"));
  }
}
