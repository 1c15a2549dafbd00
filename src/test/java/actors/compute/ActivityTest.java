package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import actors.compute.Activity.Backend;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ActivityTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Instant EARLIER = NOW.minusSeconds(60);
  private static final Instant EARLIEST = NOW.minusSeconds(3600);

  @Test
  void anIdleInTransactionSessionIsActive() {
    assertEquals(Optional.of(NOW), Activity.latest(List.of(
        new Backend("client backend", "idle", EARLIEST, "psql"),
        new Backend("client backend", "idle in transaction", EARLIER, "app")), NOW));
  }

  @Test
  void aRunningQueryIsActive() {
    assertEquals(Optional.of(NOW), Activity.latest(List.of(new Backend("client backend", "active", EARLIER, "app")), NOW));
  }

  @Test
  void idleSessionsGiveTheNewestMomentOneWentIdle() {
    assertEquals(Optional.of(EARLIER), Activity.latest(List.of(
        new Backend("client backend", "idle", EARLIEST, "a"),
        new Backend("client backend", "idle", EARLIER, "b")), NOW));
  }

  @Test
  void theProposersWalsenderIsNotUserActivityButAnotherWalsenderIs() {
    assertEquals(Optional.empty(), Activity.latest(List.of(new Backend("walsender", "streaming", EARLIER, "walproposer"),
        new Backend("checkpointer", null, null, "")), NOW));
    assertEquals(Optional.of(NOW), Activity.latest(List.of(new Backend("walsender", "streaming", EARLIER, "pg_receivewal")), NOW));
    assertEquals(Optional.of(NOW), Activity.latest(List.of(new Backend("autovacuum worker", "active", EARLIER, "")), NOW));
  }

  @Test
  void lastActiveNeverMovesBack() {
    assertEquals(Optional.of(NOW), Activity.advance(Optional.of(NOW), Optional.of(EARLIER)));
    assertEquals(Optional.of(NOW), Activity.advance(Optional.of(EARLIER), Optional.of(NOW)));
    assertEquals(Optional.of(EARLIER), Activity.advance(Optional.of(EARLIER), Optional.empty()));
    assertEquals(Optional.of(EARLIER), Activity.advance(Optional.empty(), Optional.of(EARLIER)));
  }
}
