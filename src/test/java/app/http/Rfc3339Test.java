package app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
  private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void acceptsTheRfc3339SpellingsPeopleType() {
    assertEquals(T, Rfc3339.parse("2026-11-22T10:00:00Z"));
    assertEquals(T, Rfc3339.parse("2026-11-22 10:00:00+00"));
    assertEquals(T, Rfc3339.parse("2026-11-22 10:00:00 00"), "a + decoded as a space");
    assertEquals(T, Rfc3339.parse("2026-11-22T12:00:00+02:00"));
    assertEquals(T, Rfc3339.parse("2026-11-22T11:30:00+0130"));
    assertEquals(T.plusMillis(250), Rfc3339.parse("2026-11-22T10:00:00.25Z"));
  }

  @Test
  void rejectsOtherTextNamingIt() {
    var e = assertThrows(IllegalArgumentException.class, () -> Rfc3339.parse("yesterday"));
    assertTrue(e.getMessage().contains("'yesterday'"), e.getMessage());
  }
}
