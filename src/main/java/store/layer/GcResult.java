package store.layer;

import java.util.List;

/**
 * What one garbage collection did.
 *
 * @param cutoff the cutoff applied (the requested one, lowered to disk_consistent_lsn)
 * @param removed names of the layer files removed
 * @param bytesRemoved their total size
 * @param kept historic layers left
 */
public record GcResult(long cutoff, List<String> removed, long bytesRemoved, int kept) {
  public GcResult {
    removed = List.copyOf(removed);
  }
}
