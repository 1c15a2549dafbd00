package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProposerSettingsTest {
  @Test
  void safekeeperListsParseAndBadEntriesAreNamed() {
    assertEquals(List.of(new ProposerSettings.Endpoint("a", 1), new ProposerSettings.Endpoint("b.example", 5454)),
        ProposerSettings.parseSafekeepers("a:1, b.example:5454"));
    assertEquals("safekeeper 'a' is not host:port",
        assertThrows(IllegalArgumentException.class, () -> ProposerSettings.parseSafekeepers("a")).getMessage());
    assertEquals("safekeeper 'a:70000' has port 70000 outside 1..65535",
        assertThrows(IllegalArgumentException.class, () -> ProposerSettings.parseSafekeepers("a:70000")).getMessage());
    assertEquals("safekeeper 'a:1' is listed twice",
        assertThrows(IllegalArgumentException.class, () -> ProposerSettings.parseSafekeepers("a:1,a:1")).getMessage());
  }

  @Test
  void postgresUrlsCarryUserPasswordAndDatabaseAndHideThePasswordInErrors() {
    PostgresUrl u = PostgresUrl.parse("postgresql://walp:p%40ss@db.local:5433/app");
    assertEquals(new PostgresUrl("db.local", 5433, "walp", "p@ss", "app"), u);
    assertEquals("postgresql://walp:***@db.local:5433/app", u.toString());
    PostgresUrl trust = PostgresUrl.parse("postgresql://postgres@127.0.0.1:5432");
    assertNull(trust.password());
    assertEquals("postgres", trust.database(), "the database defaults to the user");
    String message = assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse("postgresql://u:secret@host/db")).getMessage();
    assertTrue(message.contains("expected host:port") && !message.contains("secret"), message);
  }
}
