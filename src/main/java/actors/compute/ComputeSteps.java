package actors.compute;

import actors.proposer.PostgresUrl;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * The work behind {@link ComputeNode}'s states that is not an actor: each startup step, and the
 * running PostgreSQL. Each call returns at once; blocking work runs elsewhere and completes the
 * stage. {@link LocalComputeSteps} is the real one; the state machine's tests drive their own.
 * Sync-safekeepers and the WAL proposer are actors the ComputeNode spawns itself.
 */
public interface ComputeSteps {
  /** A started PostgreSQL. */
  interface Postgres {
    /** Completes with the exit code when the postmaster is gone, whatever the reason. */
    CompletionStage<Integer> exit();

    /** Asks the postmaster to shut down in this mode; completes once asked (see {@link #exit()} for the end). */
    CompletionStage<Void> stop(TerminationMode mode);

    /** Makes the postmaster re-read its configuration files. */
    CompletionStage<Void> reload();

    /** Immediate shutdown now, blocking; for a compute that goes away with PostgreSQL still up. */
    void stopNow();
  }

  /** Step 2: waits until the pageserver holds WAL up to {@code atLeast} (any, if invalid); the basebackup LSN. */
  CompletionStage<Lsn> waitForPageserver(ComputeSpec spec, Lsn atLeast);

  /** Step 3: an empty pgdata filled with the basebackup at {@code lsn}; the tar's size in bytes. */
  CompletionStage<Long> basebackup(ComputeSpec spec, Lsn lsn);

  /** Step 4, and every reconfiguration: postgresql.conf, pg_hba.conf, standby.signal. */
  CompletionStage<Void> writeConfig(ComputeSpec spec);

  /** Step 5: PostgreSQL started and ready for connections. */
  CompletionStage<Postgres> startPostgres(ComputeSpec spec);

  /** Step 7, and every reconfiguration of a primary: roles and databases as the spec lists them. */
  CompletionStage<Void> applySpec(ComputeSpec spec);

  /** Where the proposer and the compute's own sessions log in to the running PostgreSQL. */
  PostgresUrl adminUrl();

  /** What the activity monitor samples; a fresh one per start. */
  ActivitySource activitySource();
}
