package actors.compute;

import java.util.Locale;

/**
 * The states of compute_ctl's diagram (compute.md A.4). A start goes Empty, ConfigurationPending,
 * Init, Running; a reconfiguration Running, ConfigurationPending, Configuration, Running; a stop
 * Running, TerminationPending*, Terminated. Failed and Terminated are final.
 */
public enum ComputeState {
  EMPTY,
  CONFIGURATION_PENDING,
  CONFIGURATION,
  INIT,
  RUNNING,
  REFRESH_CONFIGURATION_PENDING,
  REFRESH_CONFIGURATION,
  FAILED,
  TERMINATION_PENDING_FAST,
  TERMINATION_PENDING_IMMEDIATE,
  TERMINATED;

  /** The JSON form: snake_case, as in compute_ctl's /status. */
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The form used in error texts, with dashes. */
  public String human() {
    return json().replace('_', '-');
  }
}
