package store.layer;

import java.util.List;

/**
 * What one garbage collection did.
 *
 * @param cutoff the cutoff applied (the requested one, lowered to disk_consistent_lsn)
 * @param removed names of the layer files removed
 * @param bytesRemoved their total size
 * @param kept historic layers left
 * @param total historic layers before
 * @param neededByBranches layers the cutoff alone would have removed but a retained branch point needs
 */
public record GcResult(long cutoff, List<String> removed, long bytesRemoved, int kept, int total, int neededByBranches) {
  public GcResult {
    removed = List.copyOf(removed);
  }
}
