package actors.pageserver;

import actors.safekeeper.TimelineId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import store.layer.KeyValue;
import store.layer.LayerSettings;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/** Layer files for backup tests: page images of one relation written, frozen and flushed as L0s. */
final class TimelineFill {
  static final long INITDB = 0x1000;
  static final LayerSettings SETTINGS = new LayerSettings(1 << 20, Duration.ofMinutes(10), 64 << 10, 3);
  private static final RelTag REL = new RelTag(1663, 5, 16384, ForkNumber.MAIN);

  private long lsn;

  TimelineFill() {
    this(INITDB);
  }

  /** Values start after {@code lastRecordLsn}, e.g. a branch point. */
  TimelineFill(long lastRecordLsn) {
    this.lsn = lastRecordLsn;
  }

  static TimelineLayers create(Path dir) throws IOException {
    return TimelineLayers.create(dir, TimelineMetadata.root(INITDB, 15), null, SETTINGS);
  }

  /** A read side good enough for the uploader: ids, LSNs and the name. */
  static TimelineHandle handle(String tenant, String timeline, TimelineLayers tl) {
    TimelineInfo info = new TimelineInfo(tenant, timeline, "main", null, 0, tl.lastRecordLsn(), 0, tl.diskConsistentLsn(), 0,
        tl.metadata().initdbLsn(), 0, 0, 0, 15, "Active", Map.of());
    return new TimelineHandle(new TimelineId(tenant, timeline), tl, new LsnWaiter(tl.lastRecordLsn()), null, Runnable::run,
        Duration.ofSeconds(1), new RecentWal(16 << 20), info);
  }

  /** Ten versions of each of 32 blocks, then a freeze and flush: one more L0. */
  void flushOneL0(TimelineLayers tl) throws IOException {
    List<KeyValue> batch = new ArrayList<>();
    long prev = lsn;
    for (int v = 0; v < 10; v++) {
      for (int blk = 0; blk < 32; blk++) {
        lsn += 8;
        byte[] page = new byte[8192];
        Arrays.fill(page, (byte) (lsn >>> 3));
        batch.add(new KeyValue(Key.relBlock(REL, blk), lsn, new Value.Image(page)));
      }
    }
    tl.put(batch);
    tl.advance(lsn, prev);
    tl.freeze();
    tl.flushFrozen();
  }
}
