package wire.pg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import wire.xlog.Lsn;

/**
 * The simple-query commands Strata's safekeeper and pageserver understand: PostgreSQL's physical
 * replication commands (repl_gram.y) plus Neon's service commands. {@link #parse} returns one of
 * these or fails with {@code unknown command 'x'} or a syntax error naming the command.
 */
public sealed interface ReplicationCommand {
  static ReplicationCommand parse(String query) throws ProtocolException {
    return CommandParser.parse(query);
  }

  /** One row: systemid, timeline, xlogpos, dbname. */
  record IdentifySystem() implements ReplicationCommand {}

  record TimelineHistory(int timeline) implements ReplicationCommand {}

  /** A run-time setting, e.g. wal_segment_size (pg_receivewal asks for it). */
  record Show(String name) implements ReplicationCommand {}

  record ReadReplicationSlot(String slot) implements ReplicationCommand {}

  /**
   * {@code START_REPLICATION [SLOT s] [PHYSICAL] X/Y [TIMELINE n] [(term 'N', …)]}. The option
   * list is Strata's extension: with a term, the sender streams only while it stays in that term.
   */
  record StartReplication(Optional<String> slot, Lsn start, OptionalInt timeline, OptionalLong term,
                          Map<String, String> options) implements ReplicationCommand {
    public StartReplication {
      options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }
  }

  /** The proposer's stream of consensus messages, e.g. {@code START_WAL_PUSH (proto_version '3')}. */
  record StartWalPush(Map<String, String> options) implements ReplicationCommand {
    public StartWalPush {
      options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }
  }

  /** Columns flush_lsn, commit_lsn of the connection's timeline. */
  record TimelineStatus() implements ReplicationCommand {}

  /** {@code pagestream_v2 <tenant> <timeline>} (version 1 is plain {@code pagestream}). */
  record Pagestream(int version, String tenant, String timeline) implements ReplicationCommand {}

  /** {@code basebackup <tenant> <timeline> [<lsn>|latest] [--gzip] [--replica]}; no LSN means latest. */
  record Basebackup(String tenant, String timeline, Optional<Lsn> lsn, boolean gzip, boolean replica)
      implements ReplicationCommand {}

  /** {@code SET …}: accepted and ignored, for drivers that set datestyle on connect. */
  record Set(String text) implements ReplicationCommand {}
}
