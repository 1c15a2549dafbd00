package actors.compute;

import actors.proposer.PostgresUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Samples pg_stat_activity over one admin connection, reopened after any failure. */
final class PgActivitySource implements ActivitySource {
  private static final String QUERY = "SELECT backend_type, state, state_change, application_name FROM pg_stat_activity"
      + " WHERE pid <> pg_backend_pid() AND (backend_type <> 'client backend' OR usename IS DISTINCT FROM ?)";

  private final PostgresUrl url;
  private Connection connection;

  PgActivitySource(PostgresUrl url) {
    this.url = url;
  }

  @Override
  public List<Activity.Backend> sample() throws SQLException {
    try {
      if (connection == null) connection = AdminConnection.open(url, url.database(), "compute_ctl:activity_monitor");
      List<Activity.Backend> out = new ArrayList<>();
      try (PreparedStatement s = connection.prepareStatement(QUERY)) {
        s.setString(1, url.user());
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            OffsetDateTime changed = rs.getObject(3, OffsetDateTime.class);
            out.add(new Activity.Backend(rs.getString(1), rs.getString(2), changed == null ? null : changed.toInstant(), rs.getString(4)));
          }
        }
      }
      return out;
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the session is being dropped either way
    }
    connection = null;
  }
}
