package testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ProcessLogs.class)
class PostgresFixtureTest {
  @Test
  void startsARealPostgres15AndCleansUp() throws Exception {
    java.nio.file.Path root;
    try (PostgresFixture pg = PostgresFixture.builder().set("wal_level", "replica").start()) {
      root = pg.root();
      assertEquals("replica", pg.psql("show wal_level").trim());
      try (var c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("select current_setting('server_version_num')::int / 10000")) {
        assertTrue(rs.next());
        assertEquals(15, rs.getInt(1));
      }
      assertTrue(ProcessLogs.dump().contains("database system is ready"), "the server log is attached");
    }
    assertFalse(Files.exists(root), "temp dir removed");
  }
}
