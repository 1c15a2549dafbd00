package actors.safekeeper;

import java.io.IOException;
import store.wal.AcceptorState;
import store.wal.WalSegments;
import wire.xlog.Lsn;

/**
 * Which local WAL segments a safekeeper may delete (safekeeper.md §7.2): only those wholly below
 * min(backup_lsn, remote_consistent_lsn, peer_horizon_lsn, commit_lsn) as persisted in the control
 * file. backup_lsn guarantees the object store holds every such segment; remote_consistent_lsn that
 * the pageserver no longer needs them; peer_horizon_lsn that no peer does. Called by the acceptor,
 * the only owner of the WAL files, right after it persisted its state.
 */
final class WalRemover {
  private WalRemover() {}

  /** The first segment number that must stay, or 0 when any horizon is not known yet. */
  static long keepFrom(AcceptorState persisted) {
    Lsn[] horizons = {persisted.backupLsn(), persisted.remoteConsistentLsn(), persisted.peerHorizonLsn(), persisted.commitLsn()};
    Lsn horizon = null;
    for (Lsn h : horizons) {
      if (!h.isValid()) return 0;
      horizon = horizon == null ? h : Lsn.min(horizon, h);
    }
    return Long.divideUnsigned(horizon.value(), persisted.walSegSize());
  }

  /** Deletes the segments below {@link #keepFrom}; returns how many files went. */
  static int removeOld(AcceptorState persisted, WalSegments segments) throws IOException {
    long keep = keepFrom(persisted);
    return keep == 0 ? 0 : segments.removeBelow(keep);
  }
}
