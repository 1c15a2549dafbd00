package actors.proposer;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * The SQL a proposer in normal mode runs on its PostgreSQL, each on a short-lived plain
 * connection: server identity and the replication slot, the start of a fresh timeline, and the
 * flush position that must cover what the safekeepers hold.
 */
final class PostgresControl {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private PostgresControl() {}

  /** What the greeting carries about the server. */
  record ServerInfo(long systemId, int pgVersion, int walSegSize) {}

  /** Reads the server identity and creates the physical slot, reserving WAL, if it is missing. */
  static CompletionStage<ServerInfo> prepare(ActorSystem<?> system, PostgresUrl pg, String slot) {
    String info = "SELECT system_identifier::text, current_setting('server_version_num'),"
        + " (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size') FROM pg_control_system()";
    String createSlot = "SELECT pg_create_physical_replication_slot(" + literal(slot) + ", true)"
        + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = " + literal(slot) + ")";
    return run(system, pg, List.of(info, createSlot)).thenApply(results -> {
      var row = single(results.get(0), "server identity");
      return new ServerInfo(Long.parseUnsignedLong(row.text(0)), Integer.parseInt(row.text(1)), Integer.parseInt(row.text(2)));
    });
  }

  /**
   * Where a fresh timeline's WAL starts: the redo point of a checkpoint forced now. It is a record
   * boundary (past the page header when the checkpoint began on a page boundary), it is at or past
   * the slot's reserved start (the slot was created before it), and it is where a base backup
   * taken from this checkpoint begins replay.
   */
  static CompletionStage<Lsn> freshStart(ActorSystem<?> system, PostgresUrl pg) {
    return run(system, pg, List.of("CHECKPOINT", "SELECT redo_lsn::text FROM pg_control_checkpoint()"))
        .thenApply(results -> Lsn.parse(single(results.get(1), "checkpoint redo LSN").text(0)));
  }

  /** The end of WAL flushed on the server. */
  static CompletionStage<Lsn> flushLsn(ActorSystem<?> system, PostgresUrl pg) {
    return run(system, pg, List.of("SELECT pg_current_wal_flush_lsn()::text"))
        .thenApply(results -> Lsn.parse(single(results.get(0), "WAL flush position").text(0)));
  }

  /** Startup parameters of the physical replication connection. */
  static Map<String, String> replicationParameters(PostgresUrl pg) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("user", pg.user());
    p.put("database", pg.database());
    p.put("replication", "true");
    p.put("application_name", "walproposer");
    return p;
  }

  private static CompletionStage<List<PgClientSession.Result>> run(ActorSystem<?> system, PostgresUrl pg, List<String> queries) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("user", pg.user());
    p.put("database", pg.database());
    p.put("application_name", "walproposer_control");
    return PgClient.query(system, pg.host(), pg.port(), p, pg.password(), queries, TIMEOUT);
  }

  private static wire.pg.DataRow single(PgClientSession.Result r, String what) {
    if (r.rows().size() != 1) throw new IllegalStateException(what + ": '" + r.query() + "' returned " + r.rows().size() + " rows");
    return r.rows().get(0);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
