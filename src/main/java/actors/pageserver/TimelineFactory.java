package actors.pageserver;

import actors.safekeeper.TimelineId;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import store.DurableFile;
import store.FileTrees;
import store.layer.ImportImages;
import store.layer.KeyValue;
import store.layer.LayerSettings;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import store.pgdatadir.ImportRefused;
import store.pgdatadir.ImportResult;
import store.pgdatadir.PgdataImport;
import store.pgdatadir.WalIngest;
import store.redo.PageReconstructor;
import wire.xlog.Lsn;

/**
 * Blocking work on tenant and timeline directories: create a tenant, bootstrap, import or branch a
 * timeline, and open every timeline at start (ancestors first). A new timeline is built in a temp
 * directory and renamed into place only once its metadata and layers are durable.
 */
final class TimelineFactory {
  /** Import values spilled per sorted run: bounds the heap an import needs. */
  private static final long IMPORT_BATCH_BYTES = 32L << 20;

  private static final String NAME_FILE = "name";
  private static final int NAME_MAGIC = 0x5354_4e4d;   // "STNM"
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final java.time.Duration BRANCH_LSN_GRACE = java.time.Duration.ofSeconds(5);

  /** A timeline ready to serve: its read side and the behaviour of its writer. */
  record Opened(TimelineHandle handle, Behavior<Timeline.Command> behavior, TimelineLayers layers) {}

  private final PageserverSettings settings;
  private final Executor blocking;
  private final WalRedoPool redoPool;
  private final PageReconstructor reconstructor;
  private final WalReceiverSettings receiverSettings;
  private final LayerSettings layerSettings;
  private final Executor pageReads;
  private final Map<TimelineId, TimelineLayers> opened = new HashMap<>();

  TimelineFactory(ActorContext<?> ctx, PageserverSettings settings, Executor blocking) {
    this.settings = settings;
    this.blocking = blocking;
    var config = ctx.getSystem().settings().config();
    this.pageReads = ctx.getSystem().dispatchers().lookup(akka.actor.typed.DispatcherSelector.fromConfig("strata.page-reads"));
    this.redoPool = WalRedoPool.spawn(ctx, WalRedoPoolSettings.from(config, settings.dataDir().getParent()));
    this.reconstructor = new PageReconstructor(redoPool);
    this.receiverSettings = WalReceiverSettings.from(config);
    this.layerSettings = new LayerSettings(settings.checkpointDistance(), settings.checkpointTimeout(),
        settings.compactionTargetSize(), settings.imageCreationThreshold());
  }

  /** The node's layer settings with the tenant's checkpoint_distance. */
  private LayerSettings layerSettings(String tenant, PageserverRegistry registry) {
    TenantConfig c = registry.config(tenant);
    return new LayerSettings(c.checkpointDistance(), layerSettings.checkpointTimeout(), layerSettings.compactionTargetSize(),
        c.imageCreationThreshold());
  }

  static String newId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  // --- tenants ---

  List<String> tenantsOnDisk() throws IOException {
    Path dir = settings.tenantsDir();
    if (!Files.isDirectory(dir)) return List.of();
    DirectoryRemoval.finishInterrupted(dir);
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (TimelineId.isId(name) && Files.exists(p.resolve(TenantConfigFile.FILE_NAME))) out.add(name);
      }
    }
    return out;
  }

  /** The tenant's config overrides as stored. */
  com.fasterxml.jackson.databind.node.ObjectNode tenantConfig(String id) throws IOException {
    return TenantConfigFile.load(settings.tenantDir(id));
  }

  void saveTenantConfig(String id, com.fasterxml.jackson.databind.JsonNode overrides) throws IOException {
    TenantConfigFile.save(settings.tenantDir(id), overrides);
  }

  void createTenant(String id, com.fasterxml.jackson.databind.JsonNode overrides) throws IOException {
    Path dir = settings.tenantDir(id);
    Files.createDirectories(dir.resolve("timelines"));
    TenantConfigFile.save(dir, overrides);
    DurableFile.fsyncDirectory(settings.tenantsDir());
    DurableFile.fsyncDirectory(settings.dataDir());   // the tenants dir itself, when this made it
  }

  /** Makes {@code dir} a tenant directory: its timelines dir and a durable tenant.conf. */
  static void writeTenantConf(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("timelines"));
    TenantConfigFile.save(dir, TenantConfigFile.empty());
  }

  /** Stores a timeline's name in its directory, durably. */
  static void writeName(Path timelineDir, String name) throws IOException {
    DurableFile.write(timelineDir.resolve(NAME_FILE), NAME_MAGIC, 1, name.getBytes(StandardCharsets.UTF_8));
  }

  // --- opening ---

  /** Opens every timeline of a tenant, ancestors before their branches. Temp dirs of unfinished creations are removed. */
  List<Opened> openAll(String tenant, PageserverRegistry registry) throws IOException {
    Path dir = settings.tenantDir(tenant).resolve("timelines");
    Map<String, TimelineMetadata> found = new HashMap<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          if (name.endsWith(".___creating") || name.endsWith(DirectoryRemoval.SUFFIX)) {
            FileTrees.delete(p);
          } else if (TimelineId.isId(name) && Files.exists(p.resolve(TimelineMetadata.FILE_NAME))) {
            found.put(name, TimelineMetadata.load(p));
          }
        }
      }
    }
    List<Opened> out = new ArrayList<>();
    while (!found.isEmpty()) {
      int before = found.size();
      for (var e : List.copyOf(found.entrySet())) {
        String ancestor = e.getValue().ancestorTimelineId();
        if (ancestor != null && found.containsKey(ancestor)) continue;   // its ancestor opens first
        found.remove(e.getKey());
        TimelineId id = new TimelineId(tenant, e.getKey());
        TimelineLayers ancestorLayers = ancestor == null ? null : opened.get(new TimelineId(tenant, ancestor));
        if (ancestor != null && ancestorLayers == null) {
          throw new IOException("timeline " + id + " has ancestor " + ancestor + ", which does not exist");
        }
        out.add(open(id, TimelineLayers.open(dir.resolve(e.getKey()), ancestorLayers, layerSettings(tenant, registry))));
      }
      if (found.size() == before) throw new IOException("timelines " + found.keySet() + " of tenant " + tenant + " form an ancestor cycle");
    }
    return out;
  }

  private Opened open(TimelineId id, TimelineLayers layers) throws IOException {
    opened.put(id, layers);
    TimelineMetadata md = layers.metadata();
    LsnWaiter lsns = new LsnWaiter(layers.lastRecordLsn());
    RecentWal recent = new RecentWal(Lsn.DEFAULT_SEGMENT_SIZE);
    Path nameFile = layers.dir().resolve(NAME_FILE);
    String name = Files.exists(nameFile) ? new String(DurableFile.read(nameFile, NAME_MAGIC, 1), StandardCharsets.UTF_8) : null;
    TimelineInfo info = new TimelineInfo(id.tenantId(), id.timelineId(), name, md.ancestorTimelineId(), md.ancestorLsn(),
        layers.lastRecordLsn(), layers.prevRecordLsn(), layers.diskConsistentLsn(), 0, md.initdbLsn(), md.latestGcCutoffLsn(),
        0, layers.physicalSize(), md.pgVersion(), "Active", Map.of());
    TimelineHandle handle = new TimelineHandle(id, layers, lsns, reconstructor, pageReads, settings.waitLsnTimeout(), recent, info);
    WalIngest ingest = WalIngest.load(handle.datadir(layers.lastRecordLsn()));
    handle.publish(info.withLsns(layers.lastRecordLsn(), layers.prevRecordLsn(), layers.diskConsistentLsn(),
        ingest.logicalSizeBlocks() * 8192, layers.physicalSize()));
    return new Opened(handle, Timeline.create(settings, receiverSettings, handle, layers, lsns, ingest, recent), layers);
  }

  /** The timeline is gone: its layers are no longer an ancestor for anything. */
  void forget(TimelineId id) {
    opened.remove(id);
  }

  void removeTimelineDir(TimelineId id) throws IOException {
    DirectoryRemoval.remove(settings.tenantDir(id.tenantId()).resolve("timelines").resolve(id.timelineId()));
  }

  void removeTenantDir(String tenantId) throws IOException {
    DirectoryRemoval.remove(settings.tenantDir(tenantId));
  }

  // --- creating ---

  Opened create(TimelineId id, TenantManager.CreateTimeline req, PageserverRegistry registry) throws IOException {
    Path timelines = settings.tenantDir(id.tenantId()).resolve("timelines");
    Path finalDir = timelines.resolve(id.timelineId());
    Path temp = timelines.resolve(id.timelineId() + ".___creating");
    FileTrees.delete(temp);
    try {
      TimelineLayers ancestor = null;
      if (req.ancestorTimelineId() != null) {
        ancestor = branch(temp, id, req, registry);
      } else {
        Path pgdata = req.importPgdata();
        Path initdbDir = null;
        if (pgdata == null) {
          initdbDir = settings.dataDir().resolve("tmp").resolve("initdb-" + id.timelineId());
          FileTrees.delete(initdbDir);
          pgdata = Bootstrap.initdb(settings.postgresBinDir(), settings.osUser(), initdbDir);
        }
        try {
          importInto(temp, pgdata);
        } finally {
          if (initdbDir != null) FileTrees.delete(initdbDir);
        }
      }
      if (req.name() != null) writeName(temp, req.name());
      DurableFile.fsyncDirectory(temp);
      Files.move(temp, finalDir, StandardCopyOption.ATOMIC_MOVE);
      DurableFile.fsyncDirectory(timelines);
      return open(id, TimelineLayers.open(finalDir, ancestor, layerSettings(id.tenantId(), registry)));
    } catch (IOException | RuntimeException e) {
      FileTrees.delete(temp);
      throw e;
    }
  }

  /** Streams the data directory into a new timeline's layers (no second copy), then makes it durable. */
  private void importInto(Path dir, Path pgdata) throws IOException {
    if (!Files.isDirectory(pgdata)) throw PsError.REFUSED_IMPORT.failure("import_pgdata " + pgdata + " is not a directory");
    TimelineLayers[] layers = {null};
    ImportImages[] images = {null};
    List<KeyValue> wal = new ArrayList<>();   // the shutdown checkpoint record's values, above the images
    ImportResult result;
    try {
      result = new PgdataImport(pgdata, false).batchBytes(IMPORT_BATCH_BYTES).run(redo -> {
        layers[0] = TimelineLayers.create(dir, TimelineMetadata.root(redo, PgdataImport.PG_VERSION), null, layerSettings);
        images[0] = new ImportImages(dir, redo, layerSettings.compactionTargetSize());
        return batch -> {
          List<KeyValue> files = new ArrayList<>(batch.size());
          for (KeyValue kv : batch) (kv.lsn() == redo ? files : wal).add(kv);
          try {
            images[0].add(files);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
      });
    } catch (ImportRefused e) {
      throw PsError.REFUSED_IMPORT.failure(e.getMessage());
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    layers[0].installImport(images[0].lsn(), images[0].finish());
    layers[0].put(wal);
    layers[0].advance(result.lastRecordLsn().value(), result.prevRecordLsn().value());
    layers[0].freeze();
    layers[0].flushFrozen();
  }

  private TimelineLayers branch(Path dir, TimelineId id, TenantManager.CreateTimeline req, PageserverRegistry registry) throws IOException {
    TimelineHandle parent = registry.timeline(id.tenantId(), req.ancestorTimelineId());
    TimelineLayers ancestor = opened.get(parent.id());
    long lsn = req.ancestorLsn() != null ? req.ancestorLsn() : parent.lastRecordLsn();
    if (lsn % 8 != 0) lsn += 8 - lsn % 8;
    if (Long.compareUnsigned(lsn, parent.lastRecordLsn()) > 0) awaitIngest(parent, lsn);
    TimelineInfo p = parent.info();
    long last = parent.lastRecordLsn();   // the waiter moves before the published info does
    if (Long.compareUnsigned(lsn, last) > 0) {
      throw PsError.BAD_LSN.failure("branch LSN " + Lsn.of(lsn) + " is beyond the last record LSN " + Lsn.of(last) + " of timeline "
          + parent.id().timelineId());
    }
    if (Long.compareUnsigned(lsn, p.initdbLsn()) < 0) {
      throw PsError.BAD_LSN.failure("branch LSN " + Lsn.of(lsn) + " is before the initdb LSN " + Lsn.of(p.initdbLsn()) + " of timeline "
          + parent.id().timelineId());
    }
    if (p.ancestorTimelineId() != null && Long.compareUnsigned(lsn, p.ancestorLsn()) < 0) {
      throw PsError.BAD_LSN.failure("branch LSN " + Lsn.of(lsn) + " is before the branch point " + Lsn.of(p.ancestorLsn())
          + " of timeline " + parent.id().timelineId() + " (less than timeline ancestor lsn)");
    }
    // the initdb and ancestor checks come first: a fresh timeline's GC cutoff is its initdb LSN
    if (Long.compareUnsigned(lsn, p.gcCutoffLsn()) < 0) {
      throw PsError.BELOW_GC_CUTOFF.failure("branch LSN " + Lsn.of(lsn) + " is below the GC cutoff " + Lsn.of(p.gcCutoffLsn())
          + " of timeline " + parent.id().timelineId());
    }
    long prev = lsn == p.lastRecordLsn() ? p.prevRecordLsn() : 0;
    TimelineLayers.create(dir, TimelineMetadata.branch(parent.id().timelineId(), lsn, prev, p.initdbLsn(), p.pgVersion()),
        ancestor, layerSettings);
    return ancestor;
  }

  /** WAL just committed may not be ingested yet: a short grace before an LSN counts as beyond the end. */
  private static void awaitIngest(TimelineHandle parent, long lsn) throws IOException {
    try {
      parent.waitFor(lsn, BRANCH_LSN_GRACE).toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException notThere) {
      // judged below against what was ingested
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for " + parent.id() + " to reach " + Lsn.of(lsn));
    }
  }
}
