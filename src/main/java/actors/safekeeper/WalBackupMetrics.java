package actors.safekeeper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** WAL backup meters: what went to the object store, and how far backup_lsn trails commit_lsn. Thread-safe. */
final class WalBackupMetrics {
  final Counter uploadedBytes;
  final Counter uploadedObjects;
  final Counter failedJobs;
  /** The largest commit_lsn - backup_lsn over this node's timelines, in bytes. */
  final AtomicLong lagBytes = new AtomicLong();

  WalBackupMetrics(MeterRegistry registry) {
    uploadedBytes = Counter.builder("strata_safekeeper_backup_uploaded_bytes").baseUnit("bytes")
        .description("WAL bytes uploaded to the object store").register(registry);
    uploadedObjects = Counter.builder("strata_safekeeper_backup_uploaded_objects")
        .description("WAL segments uploaded to the object store").register(registry);
    failedJobs = Counter.builder("strata_safekeeper_backup_failures")
        .description("WAL upload runs that ended with an error (retried on the next tick)").register(registry);
    Gauge.builder("strata_safekeeper_backup_lag_bytes", lagBytes, AtomicLong::get).baseUnit("bytes")
        .description("Largest commit_lsn - backup_lsn over this node's timelines").register(registry);
  }
}
