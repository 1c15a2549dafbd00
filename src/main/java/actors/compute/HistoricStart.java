package actors.compute;

import java.util.Optional;
import wire.xlog.Lsn;

/**
 * The rule that a read-write compute starts only at the end of its timeline's history: if the
 * pageserver already holds WAL beyond the start LSN, writing from there would fork the timeline in
 * place. The way to write from a past point is a branch there.
 */
final class HistoricStart {
  private HistoricStart() {}

  /** Why a primary may not start at {@code start} when the pageserver's last record is {@code pageserverLast}; empty when it may. */
  static Optional<String> refusal(String timeline, Lsn start, Lsn pageserverLast) {
    // the pageserver reports record ends aligned to 8 bytes; the end of WAL may not be
    long alignedStart = (start.value() + 7) & ~7L;
    if (!start.isValid() || Long.compareUnsigned(pageserverLast.value(), alignedStart) <= 0) return Optional.empty();
    return Optional.of("a read-write compute cannot start at LSN " + start + " of timeline " + timeline
        + ": that is a historic LSN (the timeline's WAL reaches " + pageserverLast + "); create a branch at " + start
        + " and start the compute on it, or start a read-only compute at that LSN");
  }
}
