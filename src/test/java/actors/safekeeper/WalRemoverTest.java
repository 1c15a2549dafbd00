package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import store.wal.AcceptorState;
import store.wal.WalSegments;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

class WalRemoverTest {
  private static final int SEG = 1 << 20;

  private static AcceptorState state(long commit, long backup, long peerHorizon, long remoteConsistent) {
    return new AcceptorState("t", "tl", 1, TermHistory.EMPTY, 150000, 1, SEG, Lsn.of(SEG), Lsn.of(SEG), Lsn.of(commit),
        Lsn.of(backup), Lsn.of(peerHorizon), Lsn.of(remoteConsistent), 0);
  }

  @Test
  void keepsEverythingFromTheSegmentOfTheLowestHorizon() {
    assertEquals(3, WalRemover.keepFrom(state(9L * SEG, 3L * SEG + 5, 8L * SEG, 7L * SEG)), "backup_lsn is lowest");
    assertEquals(2, WalRemover.keepFrom(state(9L * SEG, 5L * SEG, 8L * SEG, 2L * SEG + 100)), "remote_consistent_lsn is lowest");
    assertEquals(4, WalRemover.keepFrom(state(9L * SEG, 5L * SEG, 4L * SEG, 7L * SEG)), "peer horizon is lowest");
    assertEquals(1, WalRemover.keepFrom(state(1L * SEG + 1, 5L * SEG, 4L * SEG, 7L * SEG)), "commit_lsn is lowest");
  }

  @Test
  void anUnknownHorizonRemovesNothing() {
    assertEquals(0, WalRemover.keepFrom(state(9L * SEG, 5L * SEG, 4L * SEG, 0)));
    assertEquals(0, WalRemover.keepFrom(state(9L * SEG, 0, 4L * SEG, 7L * SEG)));
  }

  @Test
  void removesOnlySegmentsWhollyBelowTheHorizon(@TempDir Path dir) throws Exception {
    WalSegments segments = new WalSegments(dir, SEG);
    for (long s = 1; s <= 5; s++) Files.write(dir.resolve(segments.fileName(s)), new byte[] {1});
    int removed = WalRemover.removeOld(state(5L * SEG, 3L * SEG + 10, 5L * SEG, 5L * SEG), segments);
    assertEquals(2, removed);
    assertEquals(List.of(3L, 4L, 5L), segments.segmentNumbers());
  }
}
