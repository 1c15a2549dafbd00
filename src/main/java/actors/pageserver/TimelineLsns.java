package actors.pageserver;

import wire.xlog.Lsn;

/**
 * A timeline's positions as its {@link WalReceiver} needs them (pageserver.md §1.3): where to
 * resume streaming, and what to report to the safekeeper.
 *
 * @param lastRecordLsn       end of the last fully ingested record
 * @param diskConsistentLsn   everything up to here is in local layer files
 * @param remoteConsistentLsn everything up to here is in object storage; safekeepers may trim WAL below it
 */
public record TimelineLsns(Lsn lastRecordLsn, Lsn diskConsistentLsn, Lsn remoteConsistentLsn) {}
