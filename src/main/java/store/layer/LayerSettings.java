package store.layer;

import java.time.Duration;

/**
 * When the open layer is frozen and how big compaction and image outputs grow (reference
 * pageserver.md §4.9 defaults).
 *
 * @param checkpointDistance freeze the open layer once it holds this many bytes or this much WAL
 * @param checkpointTimeout freeze a non-empty open layer after it has been open this long
 * @param compactionTargetSize an L1 delta or image layer is cut at the next key after this many bytes
 * @param imageCreationThreshold a key range is worth an image once this many deltas are stacked over it since the last image
 */
public record LayerSettings(long checkpointDistance, Duration checkpointTimeout, long compactionTargetSize, int imageCreationThreshold) {
  public LayerSettings {
    if (checkpointDistance <= 0) throw new IllegalArgumentException("checkpointDistance must be positive: " + checkpointDistance);
    if (checkpointTimeout.isNegative()) throw new IllegalArgumentException("checkpointTimeout must not be negative: " + checkpointTimeout);
    if (compactionTargetSize <= 0) throw new IllegalArgumentException("compactionTargetSize must be positive: " + compactionTargetSize);
    if (imageCreationThreshold < 1) throw new IllegalArgumentException("imageCreationThreshold must be at least 1: " + imageCreationThreshold);
  }

  public static LayerSettings defaults() {
    return new LayerSettings(256L << 20, Duration.ofMinutes(10), 128L << 20, 3);
  }
}
