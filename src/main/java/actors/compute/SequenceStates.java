package actors.compute;

import actors.proposer.PostgresUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a clean stop, WAL-logs every sequence's current value. PostgreSQL logs sequences 32 values
 * ahead and writes their true state only into the data file at shutdown; a compute's next start
 * comes from WAL, so without this every sequence would jump ahead after a restart (as after a crash).
 * {@code setval(seq, last_value, true)} writes that exact state to WAL. Best effort: a failure is
 * logged and the stop goes on.
 */
final class SequenceStates {
  private static final Logger log = LoggerFactory.getLogger(SequenceStates.class);

  private SequenceStates() {}

  static void persist(PostgresUrl admin) {
    List<String> databases = new ArrayList<>();
    try (Connection c = AdminConnection.open(admin, admin.database(), "compute_ctl:sequences");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate")) {
      while (rs.next()) databases.add(rs.getString(1));
    } catch (SQLException e) {
      log.warn("sequence states not saved: cannot list databases: {}", e.getMessage());
      return;
    }
    for (String db : databases) {
      try (Connection c = AdminConnection.open(admin, db, "compute_ctl:sequences"); Statement s = c.createStatement()) {
        s.execute("SELECT pg_catalog.setval(pg_catalog.format('%I.%I', schemaname, sequencename)::pg_catalog.regclass, last_value, true)"
            + " FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL");
      } catch (SQLException e) {
        log.warn("sequence states of database {} not saved: {}", db, e.getMessage());
      }
    }
  }
}
