package actors.pageserver;

import akka.Done;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import store.layer.IndexPart;
import store.layer.RemoteLayout;
import store.remote.ObjectInfo;
import store.remote.ObjectStore;

/**
 * The pageserver's view of object storage: generation-suffixed objects of {@link RemoteLayout}
 * over an {@link ObjectStore}, counted in {@code /metrics}. Thread-safe, non-blocking.
 */
final class RemoteStorage {
  private final ObjectStore store;
  private final MeterRegistry metrics;
  private volatile CompletionStage<Done> bucketReady;
  private final Counter uploadedBytes;
  private final Counter uploadedObjects;
  private final Counter downloadedBytes;
  private final Counter downloadedObjects;
  private final Counter uploadFailures;

  RemoteStorage(ObjectStore store, MeterRegistry metrics) {
    this.store = store;
    this.metrics = metrics;
    this.uploadedBytes = Counter.builder("strata_pageserver_remote_uploaded_bytes").description("bytes uploaded to object storage")
        .register(metrics);
    this.uploadedObjects = Counter.builder("strata_pageserver_remote_uploaded_objects").description("objects uploaded (layers, indexes)")
        .register(metrics);
    this.downloadedBytes = Counter.builder("strata_pageserver_remote_downloaded_bytes").description("bytes downloaded from object storage")
        .register(metrics);
    this.downloadedObjects = Counter.builder("strata_pageserver_remote_downloaded_objects").description("objects downloaded")
        .register(metrics);
    this.uploadFailures = Counter.builder("strata_pageserver_remote_upload_failures")
        .description("backup cycles that failed and will be retried after a backoff").register(metrics);
  }

  String bucket() {
    return store.settings().bucket();
  }

  MeterRegistry metrics() {
    return metrics;
  }

  /** Counts a failed backup cycle (it is retried after a backoff). */
  void countUploadFailure() {
    uploadFailures.increment();
  }

  /** Creates the bucket when missing, once; a failure is forgotten so the next caller tries again. */
  CompletionStage<Done> ensureBucket() {
    CompletionStage<Done> cur = bucketReady;
    if (cur == null) {
      cur = store.ensureBucket();
      bucketReady = cur;
      cur.whenComplete((d, err) -> {
        if (err != null) bucketReady = null;
      });
    }
    return cur;
  }

  /** The highest generation of an attachment started for the tenant (its attach markers), 0 when none. */
  CompletionStage<Long> highestAttachGeneration(String tenantId) {
    return store.list(RemoteLayout.tenantPrefix(tenantId) + "attach-").thenApply(objects -> {
      long max = 0;
      for (ObjectInfo o : objects) {
        RemoteLayout.Parsed p = RemoteLayout.parse(o.key());
        if (p != null && p.kind() == RemoteLayout.Kind.ATTACH_MARKER) max = Math.max(max, p.generation());
      }
      return max;
    });
  }

  /** The highest generation any object of the tenant carries, 0 when it has none. */
  CompletionStage<Long> highestGeneration(String tenantId) {
    return store.list(RemoteLayout.tenantPrefix(tenantId)).thenApply(objects -> {
      long max = 0;
      for (ObjectInfo o : objects) {
        RemoteLayout.Parsed p = RemoteLayout.parse(o.key());
        if (p != null && p.tenantId().equals(tenantId)) max = Math.max(max, p.generation());
      }
      return max;
    });
  }

  /** Every object of the tenant that follows {@link RemoteLayout}. */
  CompletionStage<List<RemoteLayout.Parsed>> listTenant(String tenantId) {
    return store.list(RemoteLayout.tenantPrefix(tenantId)).thenApply(objects -> objects.stream().map(o -> RemoteLayout.parse(o.key()))
        .filter(p -> p != null && p.tenantId().equals(tenantId)).toList());
  }

  CompletionStage<Done> putAttachMarker(String tenantId, long generation) {
    return counted(store.put(RemoteLayout.attachMarkerKey(tenantId, generation), new byte[0]), 0);
  }

  /** An index and the generation whose object it is. */
  record Found(long generation, IndexPart index) {}

  /**
   * The index of the highest generation at or below {@code maxGeneration} (never a newer
   * attachment's), empty when the timeline has none.
   */
  CompletionStage<Optional<Found>> latestIndex(String tenantId, String timelineId, long maxGeneration) {
    return store.list(RemoteLayout.timelinePrefix(tenantId, timelineId)).thenCompose(objects -> {
      long best = 0;
      for (ObjectInfo o : objects) {
        RemoteLayout.Parsed p = RemoteLayout.parse(o.key());
        if (p != null && p.kind() == RemoteLayout.Kind.INDEX && p.generation() <= maxGeneration) best = Math.max(best, p.generation());
      }
      if (best == 0) return CompletableFuture.completedFuture(Optional.<Found>empty());
      long generation = best;
      return index(tenantId, timelineId, best).thenApply(index -> Optional.of(new Found(generation, index)));
    });
  }

  /** One generation's index; a missing or malformed one fails the stage with a message naming the key. */
  CompletionStage<IndexPart> index(String tenantId, String timelineId, long generation) {
    String key = RemoteLayout.indexKey(tenantId, timelineId, generation);
    return store.get(key).thenApply(bytes -> {
      byte[] b = bytes.orElseThrow(() -> new IllegalStateException("index " + key + " is not in bucket " + bucket()));
      downloadedObjects.increment();
      downloadedBytes.increment(b.length);
      try {
        return IndexPart.parse(key, b);
      } catch (IndexPart.Malformed e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  CompletionStage<Done> putIndex(String tenantId, String timelineId, long generation, IndexPart index) {
    byte[] json = index.toJson();
    return counted(store.put(RemoteLayout.indexKey(tenantId, timelineId, generation), json), json.length);
  }

  /** Uploads a layer file, adding the bytes read to {@code progress} as they go. */
  CompletionStage<Done> uploadLayer(String tenantId, String timelineId, String layerName, long generation, Path file, long size,
      AtomicLong progress) {
    Source<ByteString, ?> data = FileIO.fromPath(file).map(b -> {
      progress.addAndGet(b.size());
      return b;
    });
    return counted(store.upload(RemoteLayout.layerKey(tenantId, timelineId, layerName, generation), data), size);
  }

  /** Downloads a layer of the given generation to {@code target} (written atomically). */
  CompletionStage<Done> downloadLayer(String tenantId, String timelineId, String layerName, long generation, Path target, long size) {
    String key = RemoteLayout.layerKey(tenantId, timelineId, layerName, generation);
    return store.download(key, target).thenApply(found -> {
      if (!found) throw new IllegalStateException("layer " + key + " is not in bucket " + bucket());
      downloadedObjects.increment();
      downloadedBytes.increment(size);
      return Done.getInstance();
    });
  }

  CompletionStage<Done> deleteLayer(String tenantId, String timelineId, String layerName, long generation) {
    return store.delete(RemoteLayout.layerKey(tenantId, timelineId, layerName, generation));
  }

  private CompletionStage<Done> counted(CompletionStage<Done> upload, long bytes) {
    return upload.thenApply(d -> {
      uploadedObjects.increment();
      uploadedBytes.increment(bytes);
      return d;
    });
  }
}
