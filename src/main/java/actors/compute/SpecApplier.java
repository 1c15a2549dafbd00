package actors.compute;

import actors.compute.ComputeSpec.DatabaseSpec;
import actors.compute.ComputeSpec.GenericOption;
import actors.compute.ComputeSpec.RoleSpec;
import actors.proposer.PostgresUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Startup step 7 (compute.md A.8, the role and database phases): every spec role exists and can
 * log in with the spec's password, every spec database exists with the spec's owner. Objects the
 * spec does not list are left alone. Blocking; one admin session in autocommit (CREATE DATABASE
 * cannot run inside a transaction).
 */
final class SpecApplier {
  private SpecApplier() {}

  /** A spec with no roles and no databases needs no session at all (that saves a cold pgjdbc connect at start). */
  static void apply(PostgresUrl admin, ComputeSpec spec) throws SQLException {
    if (spec.roles().isEmpty() && spec.databases().isEmpty()) return;
    try (Connection c = AdminConnection.open(admin, admin.database(), "compute_ctl:apply_spec"); Statement s = c.createStatement()) {
      if (!spec.roles().isEmpty()) applyRoles(s, spec);
      if (!spec.databases().isEmpty()) applyDatabases(s, spec);
    }
  }

  private static void applyRoles(Statement s, ComputeSpec spec) throws SQLException {
    Map<String, String> passwords = twoColumns(s, "SELECT rolname, rolpassword FROM pg_authid");
    for (RoleSpec r : spec.roles()) {
      String password = r.encryptedPassword().map(SpecApplier::literal).orElse("NULL");
      if (!passwords.containsKey(r.name())) {
        execute(s, "CREATE ROLE " + ident(r.name()) + " CREATEDB CREATEROLE" + options(r.options()) + " LOGIN PASSWORD " + password);
      } else if (!Objects.equals(passwords.get(r.name()), r.encryptedPassword().orElse(null))) {
        execute(s, "ALTER ROLE " + ident(r.name()) + options(r.options()) + " LOGIN PASSWORD " + password);
      }
    }
  }

  private static void applyDatabases(Statement s, ComputeSpec spec) throws SQLException {
    Map<String, String> owners = twoColumns(s, "SELECT datname, pg_get_userbyid(datdba) FROM pg_database");
    for (DatabaseSpec d : spec.databases()) {
      if (!owners.containsKey(d.name())) {
        execute(s, "CREATE DATABASE " + ident(d.name()) + options(d.options()) + " OWNER " + ident(d.owner()));
      } else if (!owners.get(d.name()).equals(d.owner())) {
        execute(s, "ALTER DATABASE " + ident(d.name()) + " OWNER TO " + ident(d.owner()));
      }
    }
  }

  private static Map<String, String> twoColumns(Statement s, String sql) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) out.put(rs.getString(1), rs.getString(2));
    }
    return out;
  }

  /** Runs one statement; a failure names the statement (passwords hidden). */
  private static void execute(Statement s, String sql) throws SQLException {
    try {
      s.execute(sql);
    } catch (SQLException e) {
      String shown = sql.replaceAll("PASSWORD '.*'$", "PASSWORD '***'");
      throw new SQLException(shown + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /** Spec options as an SQL clause: a string value becomes a literal, any other is written as given. */
  static String options(List<GenericOption> options) {
    StringBuilder b = new StringBuilder();
    for (GenericOption o : options) {
      b.append(' ').append(o.name());
      o.value().ifPresent(v -> b.append(' ').append(o.quoted() ? literal(v) : v));
    }
    return b.toString();
  }

  /** A quoted identifier: any name works, quotes included. */
  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A string literal under standard_conforming_strings = on (set by {@link AdminConnection}). */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
