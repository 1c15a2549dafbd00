package store.redo;

import wire.redo.RedoRequest;
import wire.pgdata.RelFileNode;
import wire.xlog.Lsn;

/**
 * The redo service refused or could not replay one request (bad CRC, a record that is not a page
 * record, no base image, an ERROR inside redo). The process is still usable.
 */
public final class RedoFailed extends RedoException {
  private final RelFileNode rel;
  private final int fork;
  private final int blkno;
  private final Lsn lsn;
  private final String reason;

  public RedoFailed(RelFileNode rel, int fork, int blkno, Lsn lsn, String reason) {
    super("redo of " + RedoRequest.block(rel, fork, blkno) + " failed" + (lsn.isValid() ? " at " + lsn : "") + ": " + reason, null);
    this.rel = rel;
    this.fork = fork;
    this.blkno = blkno;
    this.lsn = lsn;
    this.reason = reason;
  }

  public RelFileNode rel() {
    return rel;
  }

  public int fork() {
    return fork;
  }

  public int blkno() {
    return blkno;
  }

  /** Start of the record that failed; invalid when the failure was not about one record. */
  public Lsn lsn() {
    return lsn;
  }

  /** The service's own words. */
  public String reason() {
    return reason;
  }
}
