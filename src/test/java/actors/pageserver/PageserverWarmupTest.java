package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wire.xlog.encode.RehearsalWal;

class PageserverWarmupTest {
  @TempDir
  Path dir;

  @Test
  void theWarmupIngestsAllItsWalReadsEveryPageAndLeavesNothingBehind() throws Exception {
    Path scratch = dir.resolve("warmup");
    PageserverWarmup.Result r = PageserverWarmup.run(scratch, 3 << 20);
    assertTrue(r.walBytes() >= 3 << 20, "WAL generated: " + r);
    assertTrue(r.records() > 3 * 2000, "records ingested: " + r);   // inserts, commits and images: thousands per MB
    assertTrue(r.pagesRead() > 8L * RehearsalWal.BLOCKS, "pages read, 8 passes over both relations: " + r);
    assertFalse(Files.exists(scratch), "the scratch directory is removed");
  }
}
