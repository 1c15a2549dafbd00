package bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import store.layer.ImportImages;
import store.layer.KeyValue;
import store.layer.LayerSettings;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import store.layer.ValueHistory;
import store.pgdatadir.Datadir;
import store.pgdatadir.DatadirModification;
import store.pgdatadir.ImportResult;
import store.pgdatadir.PgdataImport;
import store.pgdatadir.WalIngest;
import testkit.PostgresFixture;
import wire.keyspace.Value;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalRecord;

/**
 * The pageserver's ingest in one thread, without the network or actors: pgbench WAL (from an
 * imported, freshly initialised cluster) fed in 128 KiB chunks, as a safekeeper sends it, through
 * the Timeline actor's loop (decode, {@link WalIngest}, batches of 100 records into
 * {@link TimelineLayers}, freeze and flush at the checkpoint distance). Each run starts from a new
 * import; the first run pays for the JIT like a freshly started pageserver, later runs do not.
 * Prints wall time, the ingest thread's CPU and the whole JVM's CPU (GC and JIT included) per MB.
 *
 * <p>Run it with the node's flags ({@code -Xmx512m -XX:+UseSerialGC}) to see the node's GC.
 * Arguments: [pgbench scale, default 20] [pgbench seconds, default 30] [runs, default 4] [DIR: keep
 * the data dir and WAL there, reuse them next time].
 */
public final class WalIngestBench {
  private static final int CHUNK = 128 * 1024;
  private static final int BATCH_RECORDS = 100;
  private static final long MAX_BATCH_BYTES = 8 << 20;

  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path keep = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("strata-ingestbench-");
    if (!Files.exists(keep.resolve("range"))) generate(keep, scale, seconds);
    String[] range = Files.readString(keep.resolve("range")).trim().split(" ");
    Lsn end = Lsn.parse(range[1]);
    System.out.printf("WalIngestBench: %s; %s%n", keep, Machine.describe());
    for (int i = 0; i < runs; i++) run(keep, end, i);
  }

  /** A fresh cluster's data dir (to import) and the WAL a pgbench load made after it. */
  private static void generate(Path keep, int scale, int seconds) throws Exception {
    Files.createDirectories(keep);
    try (PostgresFixture pg = ImportedPrimary.primaryBuilder().set("synchronous_commit", "off").set("wal_keep_size", "'8GB'")
        .initOnly().start()) {
      copyTree(pg.dataDir(), keep.resolve("pgdata"));
      pg.startServer();
      String port = Integer.toString(pg.port());
      pg.runTool(List.of("pgbench", "-i", "-s", Integer.toString(scale), "-q", "-h", "127.0.0.1", "-p", port, "-U",
          PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(20));
      pg.runTool(List.of("pgbench", "-c", "4", "-j", "2", "-T", Integer.toString(seconds), "-h", "127.0.0.1", "-p", port, "-U",
          PostgresFixture.SUPERUSER, "postgres"), Duration.ofMinutes(20));
      Lsn end = Lsn.parse(pg.psql("select pg_current_wal_insert_lsn()").trim());
      pg.stop("fast");
      Path wal = Files.createDirectories(keep.resolve("wal"));
      try (Stream<Path> files = Files.list(pg.dataDir().resolve("pg_wal"))) {
        for (Path f : files.filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}")).toList()) {
          Files.copy(f, wal.resolve(f.getFileName()));
        }
      }
      Files.writeString(keep.resolve("range"), "0/0 " + end + "\n");
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
  }

  private static void run(Path keep, Lsn end, int run) throws Exception {
    Path dir = Files.createTempDirectory("strata-ingestbench-tl-");
    try {
      LayerSettings settings = LayerSettings.defaults();
      TimelineLayers[] layers = {null};
      ImportImages[] images = {null};
      List<KeyValue> wal = new ArrayList<>();
      ImportResult imported = new PgdataImport(keep.resolve("pgdata"), false).run(redo -> {
        layers[0] = TimelineLayers.create(dir, TimelineMetadata.root(redo, PgdataImport.PG_VERSION), null, settings);
        images[0] = new ImportImages(dir, redo, settings.compactionTargetSize());
        return batch -> {
          List<KeyValue> files = new ArrayList<>();
          for (KeyValue kv : batch) (kv.lsn() == redo ? files : wal).add(kv);
          try {
            images[0].add(files);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
      });
      TimelineLayers tl = layers[0];
      tl.installImport(images[0].lsn(), images[0].finish());
      tl.put(wal);
      tl.advance(imported.lastRecordLsn().value(), imported.prevRecordLsn().value());
      tl.freeze();
      tl.flushFrozen();

      long start = tl.lastRecordLsn();
      var threads = ManagementFactory.getThreadMXBean();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long gc0 = gcMillis();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long proc0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long records = ingest(keep.resolve("wal"), tl, start, end.value());
      tl.freeze();
      tl.flushFrozen();
      long t1 = System.nanoTime();
      double mb = (tl.lastRecordLsn() - start) / 1e6;
      double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
      double proc = (os.getProcessCpuTime() - proc0) / 1e9;
      System.out.printf("run %d: %.1f MB, %d records in %.2f s: %.1f MB/s; ingest thread CPU %.2f s (%.1f ms/MB), JVM CPU %.2f s "
              + "(%.1f ms/MB), GC %d ms%n", run, mb, records, (t1 - t0) / 1e9, mb / ((t1 - t0) / 1e9), cpu, cpu * 1e3 / mb, proc,
          proc * 1e3 / mb, gcMillis() - gc0);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The Timeline actor's ingest loop over the WAL files, chunk by chunk. Returns the records ingested. */
  private static long ingest(Path walDir, TimelineLayers tl, long start, long end) throws Exception {
    WalDecoder decoder = WalDecoder.startingAt(Lsn.of(start), Lsn.DEFAULT_SEGMENT_SIZE)
        .expectPrev(Lsn.of(tl.prevRecordLsn()));
    WalIngest ingest = WalIngest.load(new Datadir(imagesOnly(tl), start));
    long[] stored = {start, tl.prevRecordLsn()};
    DatadirModification mod = new DatadirModification(new Datadir(imagesOnly(tl), start), values -> {
      tl.put(values);
      tl.advance(stored[0], stored[1]);
    });
    long records = 0;
    long pos = decoder.fedUpTo().value();
    while (pos < end) {
      long seg = pos / Lsn.DEFAULT_SEGMENT_SIZE;
      int n = (int) Math.min(CHUNK, Math.min(end - pos, (seg + 1) * Lsn.DEFAULT_SEGMENT_SIZE - pos));
      byte[] chunk = new byte[n];   // a fresh array per chunk, as the network delivers it
      try (FileChannel ch = FileChannel.open(walDir.resolve(Lsn.segmentFileName(1, seg, Lsn.DEFAULT_SEGMENT_SIZE)))) {
        ch.read(ByteBuffer.wrap(chunk), pos % Lsn.DEFAULT_SEGMENT_SIZE);
      }
      decoder.feed(chunk);
      pos += n;
      int inBatch = 0;
      for (WalRecord rec; (rec = decoder.next()) != null; ) {
        ingest.ingest(rec, mod);
        stored[0] = rec.endLsnValue();
        stored[1] = rec.lsnValue();
        records++;
        if (++inBatch >= BATCH_RECORDS || mod.pendingBytes() > MAX_BATCH_BYTES) {
          mod.commit();
          inBatch = 0;
        }
      }
      if (!mod.isEmpty() || inBatch > 0) mod.commit();
      if (tl.shouldFreeze()) {
        tl.freeze();
        tl.tryFlushFrozen();
      }
    }
    return records;
  }

  /** Metadata reads during ingest find images; a page that needs redo is not expected in this WAL. */
  private static store.pgdatadir.PageReader imagesOnly(TimelineLayers tl) {
    return (key, lsn) -> {
      ValueHistory h = tl.history(key, lsn);
      if (h.isEmpty()) return null;
      if (!h.isImage()) throw new IOException(key + " at " + Lsn.of(lsn) + " needs redo");
      return ((Value.Image) h.newestFirst().get(0).value()).bytes();
    };
  }

  private static long gcMillis() {
    long ms = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
    return ms;
  }
}
