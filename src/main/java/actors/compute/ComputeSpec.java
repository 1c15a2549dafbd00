package actors.compute;

import actors.proposer.ProposerSettings.Endpoint;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What a compute runs: its timeline, mode, storage addresses, and the roles, databases and
 * settings of its PostgreSQL (compute.md A.3, the fields Strata uses). Built only by
 * {@link ComputeSpecJson#parse}, so an instance is always valid. {@code document} is the whole
 * configuration document as received, unknown fields included; it is what spec.json keeps.
 */
public record ComputeSpec(String tenantId, String timelineId, ComputeMode mode, List<Endpoint> safekeepers,
    Pageserver pageserver, List<RoleSpec> roles, List<DatabaseSpec> databases, String postgresqlConf,
    List<GenericOption> settings, long suspendTimeoutSeconds, boolean skipPgCatalogUpdates, JsonNode document) {

  public ComputeSpec {
    safekeepers = List.copyOf(safekeepers);
    roles = List.copyOf(roles);
    databases = List.copyOf(databases);
    settings = List.copyOf(settings);
  }

  /**
   * The pageserver: its PostgreSQL-protocol address (basebackup) and its HTTP API (timeline state).
   * {@code password} is empty when the pageserver trusts the compute.
   */
  public record Pageserver(String host, int port, String user, Optional<String> password, URI http) {
    @Override
    public String toString() {
      return "postgresql://" + user + "@" + host + ":" + port + " http=" + http;
    }
  }

  /**
   * A login role. {@code encryptedPassword} is a SCRAM-SHA-256 verifier or {@code md5} + 32 hex
   * digits, as stored in pg_authid; empty means no password.
   */
  public record RoleSpec(String name, Optional<String> encryptedPassword, List<GenericOption> options) {
    public RoleSpec {
      options = List.copyOf(options);
    }
  }

  public record DatabaseSpec(String name, String owner, List<GenericOption> options) {
    public DatabaseSpec {
      options = List.copyOf(options);
    }
  }

  /**
   * A setting or an option clause: {@code vartype "string"} values are quoted, others written as
   * they are; an empty value writes only the name (e.g. the role option {@code CREATEDB}).
   */
  public record GenericOption(String name, Optional<String> value, String vartype) {
    public boolean quoted() {
      return "string".equals(vartype);
    }
  }

  /** Why this spec cannot replace {@code running} without a restart (another timeline or mode); empty when it can. */
  public Optional<String> incompatibleWith(ComputeSpec running) {
    if (!tenantId.equals(running.tenantId)) return Optional.of("tenant_id cannot change from " + running.tenantId + " to " + tenantId + " while the compute runs");
    if (!timelineId.equals(running.timelineId)) return Optional.of("timeline_id cannot change from " + running.timelineId + " to " + timelineId + " while the compute runs");
    if (!mode.equals(running.mode)) return Optional.of("mode cannot change from " + running.mode + " to " + mode + " while the compute runs");
    return Optional.empty();
  }
}
