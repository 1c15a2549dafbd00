package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.proposer.ProposerSettings.Endpoint;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class ComputeSpecTest {
  static final String TENANT = "0123456789abcdef0123456789abcdef";
  static final String TIMELINE = "fedcba9876543210fedcba9876543210";
  static final String SCRAM = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy";

  /** A full primary spec as a control plane sends it, with fields Strata does not know. */
  static ObjectNode primary() {
    try {
      return (ObjectNode) ComputeSpecJson.MAPPER.readTree("""
          {"spec": {
             "format_version": 1.0,
             "operation_uuid": "op-1",
             "features": ["activity_monitor_experimental", "something_from_the_future"],
             "tenant_id": "%s", "timeline_id": "%s",
             "mode": "Primary",
             "safekeeper_connstrings": ["127.0.0.1:5454", "127.0.0.1:5455", "127.0.0.1:5456"],
             "pageserver_connstring": "postgresql://no_user@127.0.0.1:6400",
             "pageserver_http_url": "http://127.0.0.1:9898",
             "suspend_timeout_seconds": 300,
             "skip_pg_catalog_updates": false,
             "brand_new_field": {"nested": [1, 2, 3]},
             "cluster": {
               "cluster_id": "c", "name": "n", "state": "whatever",
               "roles": [{"name": "alice", "encrypted_password": "%s", "options": null},
                         {"name": "bob", "encrypted_password": "0123456789abcdef0123456789abcdef",
                          "options": [{"name": "CONNECTION LIMIT", "value": "5", "vartype": "integer"}]}],
               "databases": [{"name": "appdb", "owner": "alice", "options": null, "future": true}],
               "postgresql_conf": "shared_buffers = 1MB\\n",
               "settings": [{"name": "work_mem", "value": "4MB", "vartype": "string"},
                            {"name": "max_connections", "value": "50", "vartype": "integer"}]
             },
             "delta_operations": null
           },
           "compute_ctl_config": {"jwks": {"keys": []}}}
          """.formatted(TENANT, TIMELINE, SCRAM));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aFullSpecParsesAndUnknownFieldsAreIgnoredButKept() {
    ComputeSpec s = ComputeSpecJson.parse(primary().toString());
    assertEquals(TENANT, s.tenantId());
    assertEquals(TIMELINE, s.timelineId());
    assertEquals(new ComputeMode.Primary(), s.mode());
    assertEquals(List.of(new Endpoint("127.0.0.1", 5454), new Endpoint("127.0.0.1", 5455), new Endpoint("127.0.0.1", 5456)),
        s.safekeepers());
    assertEquals("127.0.0.1", s.pageserver().host());
    assertEquals(6400, s.pageserver().port());
    assertEquals("no_user", s.pageserver().user());
    assertEquals("http://127.0.0.1:9898", s.pageserver().http().toString());
    assertEquals(List.of("alice", "bob"), s.roles().stream().map(ComputeSpec.RoleSpec::name).toList());
    assertEquals(Optional.of(SCRAM), s.roles().get(0).encryptedPassword());
    assertEquals(Optional.of("md50123456789abcdef0123456789abcdef"), s.roles().get(1).encryptedPassword(),
        "a bare digest is an MD5 hash, stored with its prefix");
    assertEquals("CONNECTION LIMIT", s.roles().get(1).options().get(0).name());
    assertEquals(new ComputeSpec.DatabaseSpec("appdb", "alice", List.of()), s.databases().get(0));
    assertEquals("shared_buffers = 1MB\n", s.postgresqlConf());
    assertEquals(2, s.settings().size());
    assertEquals(300, s.suspendTimeoutSeconds());
    assertTrue(s.document().path("spec").has("brand_new_field"), "spec.json keeps what it was sent");
    assertEquals(s, ComputeSpecJson.parse(ComputeSpecJson.write(s)), "what spec.json stores parses to the same spec");
  }

  @Test
  void staticAndReplicaModesParseAndNeedNoSafekeepers() {
    ObjectNode doc = primary();
    spec(doc).putObject("mode").put("Static", "0/16B3748");
    spec(doc).remove("safekeeper_connstrings");
    assertEquals(new ComputeMode.Static(Lsn.parse("0/16B3748")), ComputeSpecJson.parse(doc).mode());
    spec(doc).put("mode", "Replica");
    assertEquals(new ComputeMode.Replica(), ComputeSpecJson.parse(doc).mode());
  }

  @Test
  void aMinimalSpecGetsDefaults() {
    ComputeSpec s = ComputeSpecJson.parse("""
        {"spec": {"tenant_id": "%s", "timeline_id": "%s", "safekeeper_connstrings": ["h:1"],
         "pageserver_connstring": "postgres://ps:6400", "pageserver_http_url": "http://ps:9898"}}
        """.formatted(TENANT.toUpperCase(), TIMELINE));
    assertEquals(TENANT, s.tenantId(), "ids are kept in lower case");
    assertEquals(new ComputeMode.Primary(), s.mode());
    assertEquals(-1, s.suspendTimeoutSeconds());
    assertEquals("compute", s.pageserver().user());
    assertTrue(s.roles().isEmpty() && s.databases().isEmpty() && s.settings().isEmpty());
  }

  @Test
  void invalidSpecsNameTheFieldAndTheValue() {
    rejects(d -> spec(d).remove("tenant_id"), "spec.tenant_id", "missing");
    rejects(d -> spec(d).put("timeline_id", "xyz"), "spec.timeline_id", "'xyz' is not 32 hex characters");
    rejects(d -> spec(d).put("tenant_id", 42), "spec.tenant_id", "the number 42");
    rejects(d -> spec(d).put("mode", "Secondary"), "spec.mode", "'Secondary'");
    rejects(d -> spec(d).putObject("mode").put("Static", "nope"), "spec.mode.Static", "invalid LSN 'nope'");
    rejects(d -> spec(d).putArray("safekeeper_connstrings"), "spec.safekeeper_connstrings", "a primary needs at least one safekeeper");
    rejects(d -> spec(d).withArray("safekeeper_connstrings").add("127.0.0.1:5454"), "spec.safekeeper_connstrings[3]", "listed twice");
    rejects(d -> spec(d).withArray("safekeeper_connstrings").add("127.0.0.1:99999"), "spec.safekeeper_connstrings[3]", "99999");
    rejects(d -> spec(d).put("pageserver_connstring", "http://ps:6400"), "spec.pageserver_connstring", "postgresql://");
    rejects(d -> spec(d).put("pageserver_connstring", "postgresql://a:1,postgresql://b:2"), "spec.pageserver_connstring", "sharded");
    rejects(d -> spec(d).remove("pageserver_http_url"), "spec.pageserver_http_url", "missing");
    rejects(d -> role(d, 0).put("encrypted_password", "hunter2"), "spec.cluster.roles[0].encrypted_password", "clear-text");
    rejects(d -> role(d, 1).put("name", "alice"), "spec.cluster.roles[1]", "role 'alice' is listed twice");
    rejects(d -> role(d, 0).put("name", "x".repeat(64)), "spec.cluster.roles[0].name", "64 bytes");
    rejects(d -> role(d, 0).put("name", ""), "spec.cluster.roles[0].name", "empty");
    rejects(d -> ((ObjectNode) cluster(d).withArray("databases").get(0)).remove("owner"),
        "spec.cluster.databases[0].owner", "missing");
    rejects(d -> ((ObjectNode) cluster(d).withArray("settings").get(0)).putNull("value"),
        "spec.cluster.settings[0].value", "missing");
    rejects(d -> ((ObjectNode) cluster(d).withArray("settings").get(0)).put("name", "bad name"),
        "spec.cluster.settings[0].name", "'bad name'");
    rejects(d -> cluster(d).put("roles", "alice"), "spec.cluster.roles", "must be an array");
    rejects(d -> spec(d).put("suspend_timeout_seconds", -5), "spec.suspend_timeout_seconds", "-5");
    rejects(d -> spec(d).put("skip_pg_catalog_updates", "yes"), "spec.skip_pg_catalog_updates", "\"yes\"");
    rejects(d -> d.remove("spec"), "spec", "missing");
    InvalidSpec malformed = assertThrows(InvalidSpec.class, () -> ComputeSpecJson.parse("{\"spec\": "));
    assertEquals("body", malformed.field());
  }

  private static void rejects(Consumer<ObjectNode> change, String field, String text) {
    ObjectNode doc = primary();
    change.accept(doc);
    InvalidSpec e = assertThrows(InvalidSpec.class, () -> ComputeSpecJson.parse(doc.toString()), field);
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(text), "'" + e.getMessage() + "' should contain '" + text + "'");
  }

  private static ObjectNode spec(ObjectNode doc) {
    return (ObjectNode) doc.get("spec");
  }

  private static ObjectNode cluster(ObjectNode doc) {
    return (ObjectNode) spec(doc).get("cluster");
  }

  private static ObjectNode role(ObjectNode doc, int i) {
    return (ObjectNode) cluster(doc).withArray("roles").get(i);
  }
}
