package wire.pg;

import java.time.Instant;

/** PostgreSQL timestamps on the wire: microseconds since 2000-01-01 00:00:00 UTC. */
public final class PgTime {
  private PgTime() {}

  /** 2000-01-01T00:00:00Z in Unix epoch seconds. */
  public static final long EPOCH_SECONDS = 946_684_800L;

  public static long toPg(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond() - EPOCH_SECONDS, 1_000_000L), t.getNano() / 1000);
  }

  public static Instant toInstant(long pgMicros) {
    return Instant.ofEpochSecond(EPOCH_SECONDS + Math.floorDiv(pgMicros, 1_000_000L), Math.floorMod(pgMicros, 1_000_000L) * 1000);
  }

  public static long now() {
    return toPg(Instant.now());
  }
}
