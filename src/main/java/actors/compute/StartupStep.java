package actors.compute;

/** The steps of a compute's start, in order; each one's duration is reported as {@code <metricName>}. */
public enum StartupStep {
  SYNC_SAFEKEEPERS("sync_safekeepers_ms", "sync-safekeepers"),
  WAIT_FOR_PAGESERVER("wait_for_pageserver_ms", "waiting for the pageserver"),
  BASEBACKUP("basebackup_ms", "basebackup"),
  CONFIG("config_ms", "writing postgresql.conf and pg_hba.conf"),
  START_POSTGRES("start_postgres_ms", "starting PostgreSQL"),
  APPLY_SPEC("apply_spec_ms", "applying roles and databases");

  private final String metricName;
  private final String description;

  StartupStep(String metricName, String description) {
    this.metricName = metricName;
    this.description = description;
  }

  /** The field of /metrics.json. */
  public String metricName() {
    return metricName;
  }

  /** What the step does, for error texts: "basebackup failed: …". */
  public String description() {
    return description;
  }
}
