package actors.compute;

import java.util.Locale;

/** How /terminate stops PostgreSQL: fast (SIGINT, a shutdown checkpoint) or immediate (SIGQUIT, no checkpoint). */
public enum TerminationMode {
  FAST,
  IMMEDIATE;

  /** The pg_ctl -m value and the query parameter value. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses fast or immediate; the message of a failure names the value. */
  public static TerminationMode parse(String text) {
    for (TerminationMode m : values()) if (m.word().equals(text)) return m;
    throw new IllegalArgumentException("termination mode '" + text + "' is not fast or immediate");
  }

  ComputeState pendingState() {
    return this == FAST ? ComputeState.TERMINATION_PENDING_FAST : ComputeState.TERMINATION_PENDING_IMMEDIATE;
  }
}
