package actors.compute;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import actors.proposer.PostgresUrl;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import testkit.Ports;

/** What the spec step does without a PostgreSQL: the server-backed cases are in ComputeNodePostgresTest. */
class SpecApplierTest {
  /** Nobody listens here: any connection attempt fails. */
  private static final PostgresUrl NOWHERE = new PostgresUrl("127.0.0.1", Ports.free(), "admin", null, "postgres");

  @Test
  void aSpecWithNoRolesAndNoDatabasesOpensNoSession() {
    ObjectNode doc = ComputeSpecTest.primary();
    ObjectNode cluster = (ObjectNode) doc.path("spec").path("cluster");
    cluster.remove("roles");
    cluster.remove("databases");
    assertDoesNotThrow(() -> SpecApplier.apply(NOWHERE, ComputeSpecJson.parse(doc)));
  }

  @Test
  void aSpecWithRolesStillConnects() {
    assertThrows(SQLException.class, () -> SpecApplier.apply(NOWHERE, ComputeSpecJson.parse(ComputeSpecTest.primary())));
  }
}
