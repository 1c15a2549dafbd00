package store.pgdatadir;

import java.util.Objects;
import wire.xlog.Lsn;

/**
 * What a basebackup is asked for.
 *
 * @param lsn L: the data directory is as of this LSN and the compute continues the WAL here. It
 *     is the end of the last record (pageserver.md §1.3); the checkpoint record goes at L
 *     aligned to 8, past the page header when L is at a page start.
 * @param prevRecordLsn the start of the last record before L, written as the checkpoint's
 *     {@code xl_prev} so that readers go on across L; {@link Lsn#INVALID} when unknown.
 * @param systemId the cluster's system identifier (WAL long headers, pg_control); 0 takes the
 *     stored pg_control's, any other value must equal it.
 * @param walPrefix the real WAL before L on its segment; {@link WalPrefix#NONE} for zeros.
 * @param readOnly a static, read-only compute: adds {@code standby.signal} and a checkpoint a hot
 *     standby can open on (valid {@code oldestActiveXid}).
 * @param noWalPadding the WAL segments end after their last page that is not all zeros: the client
 *     pads them back to the segment size (16 MiB of mostly zeros need not cross the network).
 */
public record BasebackupParams(Lsn lsn, Lsn prevRecordLsn, long systemId, WalPrefix walPrefix, boolean readOnly,
    boolean noWalPadding) {
  public BasebackupParams {
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(prevRecordLsn, "prevRecordLsn");
    Objects.requireNonNull(walPrefix, "walPrefix");
  }

  /** A read-write basebackup at {@code lsn} with the system id taken from pg_control. */
  public static BasebackupParams at(Lsn lsn, Lsn prevRecordLsn, WalPrefix walPrefix) {
    return new BasebackupParams(lsn, prevRecordLsn, 0, walPrefix, false, false);
  }

  public BasebackupParams asReadOnly() {
    return new BasebackupParams(lsn, prevRecordLsn, systemId, walPrefix, true, noWalPadding);
  }

  public BasebackupParams withoutWalPadding() {
    return new BasebackupParams(lsn, prevRecordLsn, systemId, walPrefix, readOnly, true);
  }
}
