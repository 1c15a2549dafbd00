package actors.pageserver;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import store.DurableFile;
import store.FileTrees;
import store.layer.IndexPart;
import store.layer.RemoteLayout;

/**
 * Restores a tenant from object storage onto this pageserver's disk (reference pageserver.md §7.6):
 * takes generation = highest found + 1 and marks it in the bucket first, then, for every timeline,
 * reads the index of the highest generation below it, downloads its layers and writes its metadata
 * durably, all in a temp directory that is renamed into place at the end. Blocking: run it on the
 * blocking executor. Ingest then resumes from each index's disk_consistent_lsn.
 */
final class TenantAttach {
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  private TenantAttach() {}

  /** Returns the new generation; a tenant without any index in the bucket is an UNKNOWN_TENANT failure. */
  static long run(RemoteStorage remote, Path tenantsDir, String tenantId, Logger log) throws IOException {
    join(remote.ensureBucket());
    List<RemoteLayout.Parsed> objects = join(remote.listTenant(tenantId));
    long highest = 0;
    Map<String, Long> timelines = new TreeMap<>();   // timeline → newest index generation
    for (RemoteLayout.Parsed p : objects) {
      highest = Math.max(highest, p.generation());
      if (p.kind() == RemoteLayout.Kind.INDEX) timelines.merge(p.timelineId(), p.generation(), Math::max);
    }
    if (timelines.isEmpty()) {
      throw PsError.UNKNOWN_TENANT.failure("tenant " + tenantId + " is not in object storage (no index_part.json under "
          + RemoteLayout.tenantPrefix(tenantId) + " in bucket " + remote.bucket() + ")");
    }
    long generation = highest + 1;
    // Marked before any index is read: an older attachment that sees it stops deleting, so what we read stays there.
    join(remote.putAttachMarker(tenantId, generation));

    List<IndexPart> indexes = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, Long> e : timelines.entrySet()) {
      IndexPart index = join(remote.index(tenantId, e.getKey(), e.getValue()));
      ids.add(e.getKey());
      indexes.add(index);
      for (IndexPart.RemoteLayer l : index.layers().values()) total += l.fileSize();
    }
    for (IndexPart index : indexes) {
      String ancestor = index.metadata().ancestorTimelineId();
      if (ancestor != null && !timelines.containsKey(ancestor)) {
        throw new IOException("tenant " + tenantId + " in bucket " + remote.bucket() + ": a timeline's ancestor " + ancestor
            + " has no index_part.json");
      }
    }
    log.info("attach started tenant={} generation={} timelines={} layer_bytes={}", tenantId, generation, ids.size(), total);

    Path finalDir = tenantsDir.resolve(tenantId);
    Path temp = tenantsDir.resolve(tenantId + ".___attaching");
    FileTrees.delete(temp);
    try {
      long done = 0, start = System.nanoTime(), lastLog = start;
      for (int i = 0; i < ids.size(); i++) {
        IndexPart index = indexes.get(i);
        Path dir = temp.resolve("timelines").resolve(ids.get(i));
        Files.createDirectories(dir);
        for (Map.Entry<String, IndexPart.RemoteLayer> l : index.layers().entrySet()) {
          Path target = dir.resolve(l.getKey());
          join(remote.downloadLayer(tenantId, ids.get(i), l.getKey(), l.getValue().generation(), target, l.getValue().fileSize()));
          long size = Files.size(target);
          if (size != l.getValue().fileSize()) {
            throw new IOException("layer " + RemoteLayout.layerKey(tenantId, ids.get(i), l.getKey(), l.getValue().generation())
                + " has " + size + " bytes, its index says " + l.getValue().fileSize());
          }
          try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
            ch.force(true);
          }
          done += size;
          if (System.nanoTime() - lastLog > PROGRESS_NANOS) {
            lastLog = System.nanoTime();
            log.info("attach in progress tenant={} bytes={}/{} seconds={}", tenantId, done, total, (lastLog - start) / 1_000_000_000);
          }
        }
        index.metadata().persist(dir);   // listed layers are durable before the metadata that names them
        if (index.name() != null) TimelineFactory.writeName(dir, index.name());
        DurableFile.fsyncDirectory(dir);
      }
      DurableFile.fsyncDirectory(temp.resolve("timelines"));
      TenantGeneration.write(temp, generation);
      TimelineFactory.writeTenantConf(temp);
      DurableFile.fsyncDirectory(temp);
      Files.move(temp, finalDir, StandardCopyOption.ATOMIC_MOVE);
      DurableFile.fsyncDirectory(tenantsDir);
      DurableFile.fsyncDirectory(tenantsDir.toAbsolutePath().getParent());   // the tenants dir itself, when this made it
      log.info("attach downloaded tenant={} generation={} timelines={} bytes={} ms={}", tenantId, generation, ids.size(), done,
          (System.nanoTime() - start) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      FileTrees.delete(temp);
      throw e;
    }
    return generation;
  }

  private static <T> T join(CompletionStage<T> stage) throws IOException {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      if (c instanceof IOException io) throw io;
      if (c instanceof RuntimeException r) throw r;
      throw new IOException(c.getMessage(), c);
    }
  }
}
