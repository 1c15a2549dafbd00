package bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import store.layer.ImportImages;
import store.layer.KeyValue;
import store.layer.LayerSettings;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import store.layer.ValueHistory;
import store.pgdatadir.Basebackup;
import store.pgdatadir.BasebackupParams;
import store.pgdatadir.Datadir;
import store.pgdatadir.ImportResult;
import store.pgdatadir.LayerBlockRuns;
import store.pgdatadir.PageReader;
import store.pgdatadir.PgdataImport;
import store.pgdatadir.WalPrefix;
import testkit.PostgresFixture;
import testkit.TempDirs;
import wire.keyspace.Value;

/**
 * The pageserver's basebackup without the network: a vanilla PostgreSQL holding one table of the
 * given size is imported into layers (as the page service's import does), then {@link
 * Basebackup#write} streams the tar into a counting sink, five times; each run prints wall and
 * thread CPU ms. Isolates the store's part of issue 6 from the socket and the client.
 *
 * <p>Arguments: [table size in MB, default 100] [per-page: without the image fast path].
 */
public final class BasebackupWriteBench {
  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    System.out.printf("BasebackupWriteBench: %d MB; %s%n", mb, Machine.describe());
    Path root = Files.createTempDirectory("strata-bbwrite-");
    try (PostgresFixture pg = PostgresFixture.builder().set("max_wal_size", "'8GB'").set("autovacuum", "off").start()) {
      pg.psql("CREATE TABLE filler(id int, pad text)");
      pg.psql("INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, " + mb * 896L + ") g");
      pg.psql("CHECKPOINT");
      pg.stop("fast");
      Path dir = root.resolve("timeline");
      TimelineLayers[] layers = {null};
      ImportImages[] images = {null};
      List<KeyValue> wal = new ArrayList<>();
      ImportResult result = new PgdataImport(pg.dataDir(), false).batchBytes(32L << 20).run(redo -> {
        layers[0] = TimelineLayers.create(dir, TimelineMetadata.root(redo, PgdataImport.PG_VERSION), null, LayerSettings.defaults());
        images[0] = new ImportImages(dir, redo, LayerSettings.defaults().compactionTargetSize());
        return batch -> {
          for (KeyValue kv : batch) {
            if (kv.lsn() != redo) wal.add(kv);
          }
          try {
            images[0].add(batch.stream().filter(kv -> kv.lsn() == redo).toList());
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
      });
      TimelineLayers tl = layers[0];
      tl.installImport(images[0].lsn(), images[0].finish());
      tl.put(wal);
      tl.advance(result.lastRecordLsn().value(), result.prevRecordLsn().value());
      tl.freeze();
      tl.flushFrozen();
      long lsn = result.lastRecordLsn().value();
      PageReader imageReader = (key, at) -> {
        ValueHistory h = tl.history(key, at);
        if (h.isEmpty()) return null;
        if (!h.isImage()) throw new IllegalStateException("needs redo: " + key);
        return ((Value.Image) h.newestFirst().get(0).value()).bytes();
      };
      boolean perPage = args.length > 1 && args[1].equals("per-page");
      Datadir dd = new Datadir(perPage ? imageReader : new PageReader() {
        @Override
        public byte[] get(wire.keyspace.Key key, long at) throws java.io.IOException {
          return imageReader.get(key, at);
        }

        @Override
        public store.pgdatadir.BlockRuns blockRuns(long at) {
          return new LayerBlockRuns(tl, at, imageReader);
        }
      }, lsn);
      BasebackupParams params = BasebackupParams.at(result.lastRecordLsn(), result.prevRecordLsn(), WalPrefix.NONE).withoutWalPadding();
      var threads = ManagementFactory.getThreadMXBean();
      long[] wall = new long[5];
      for (int i = 0; i < wall.length; i++) {
        CountingSink sink = new CountingSink();
        long cpu = threads.getCurrentThreadCpuTime(), t = System.nanoTime();
        Basebackup.write(dd, params, sink);
        wall[i] = System.nanoTime() - t;
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        System.out.printf("run %d: %.1f MB, %d ms wall, %d ms CPU%n", i, sink.bytes / 1e6, wall[i] / 1_000_000, cpu / 1_000_000);
      }
      Arrays.sort(wall);
      System.out.printf("median %d ms%n", wall[wall.length / 2] / 1_000_000);
    } finally {
      TempDirs.delete(root);
    }
  }
}
