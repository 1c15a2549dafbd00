package actors.compute;

import actors.proposer.PostgresUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A pgjdbc session of the compute on its own PostgreSQL, as the admin user. Settings a user may
 * have changed per database are reset so maintenance SQL behaves the same everywhere.
 */
final class AdminConnection {
  private AdminConnection() {}

  static Connection open(PostgresUrl url, String database, String applicationName) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", url.user());
    if (url.password() != null) p.setProperty("password", url.password());
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "300");
    Connection c = DriverManager.getConnection("jdbc:postgresql://" + url.host() + ":" + url.port() + "/" + database, p);
    try (Statement s = c.createStatement()) {
      s.execute("SET statement_timeout = 0; SET default_transaction_read_only = off; SET search_path = '';"
          + " SET standard_conforming_strings = on");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }
}
