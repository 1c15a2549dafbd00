package wire.xlog.encode;

/**
 * What every WAL page header of one cluster and timeline repeats: the system identifier and the
 * segment size go into long headers (and must match pg_control), the timeline into every header.
 */
public record WalIdentity(long systemId, int timeline, int segmentSize) {
  public WalIdentity {
    if (segmentSize < 1 << 20 || segmentSize > 1 << 30 || Integer.bitCount(segmentSize) != 1) {
      throw new IllegalArgumentException("WAL segment size must be a power of two from 1 MiB to 1 GiB, got " + segmentSize);
    }
    if (timeline < 1) throw new IllegalArgumentException("timeline must be >= 1, got " + timeline);
  }
}
