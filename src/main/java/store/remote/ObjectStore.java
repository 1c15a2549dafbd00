package store.remote;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.Attributes;
import akka.stream.alpakka.s3.AccessStyle;
import akka.stream.alpakka.s3.BucketAccess;
import akka.stream.alpakka.s3.ListBucketResultContents;
import akka.stream.alpakka.s3.ObjectMetadata;
import akka.stream.alpakka.s3.RetrySettings;
import akka.stream.alpakka.s3.S3Attributes;
import akka.stream.alpakka.s3.javadsl.S3;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import store.DurableFile;

/**
 * Objects in one bucket over Alpakka S3 (path-style, static credentials and region). Every call is
 * non-blocking and retried on transient failures by the settings' {@link RetryPolicy}; a call that
 * fails for good completes with an {@link ObjectStoreException} naming bucket and key.
 * Alpakka's own retries are off so that the attempt count per call is exactly the policy's.
 */
public final class ObjectStore {
  private final ActorSystem<?> system;
  private final S3Settings settings;
  private final Attributes s3;
  private final Retries retries;

  private ObjectStore(ActorSystem<?> system, S3Settings settings) {
    this.system = system;
    this.settings = settings;
    var alpakka = akka.stream.alpakka.s3.S3Settings.create(system)
        .withEndpointUrl(settings.endpoint())
        .withAccessStyle(AccessStyle.pathAccessStyle())
        .withCredentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
        .withS3RegionProvider(() -> Region.of(settings.region()))
        .withRetrySettings(RetrySettings.create(0, Duration.ofMillis(200), Duration.ofSeconds(10), 0.0));
    this.s3 = S3Attributes.settings(alpakka);
    this.retries = new Retries(settings.retry(), system.scheduler(), system.executionContext());
  }

  public static ObjectStore create(ActorSystem<?> system, S3Settings settings) {
    if (!settings.configured()) throw new IllegalArgumentException("strata.s3.endpoint is not set: no object storage to use");
    return new ObjectStore(system, settings);
  }

  public S3Settings settings() {
    return settings;
  }

  /** Creates the bucket unless it exists. */
  public CompletionStage<Done> ensureBucket() {
    String bucket = settings.bucket();
    return retries.run("create bucket s3://" + bucket, () ->
        S3.checkIfBucketExists(bucket, system, s3).thenCompose(access -> {
          if (access.equals(BucketAccess.notExists())) return S3.makeBucket(bucket, system, s3);
          if (access.equals(BucketAccess.accessDenied())) {
            throw new ObjectStoreException("bucket s3://" + bucket + " exists but access is denied for key id " + settings.accessKey(), null, false);
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        }));
  }

  /** Uploads a file as a multipart upload (5 MiB parts), re-reading the file on every attempt. */
  public CompletionStage<Done> upload(String key, Path file) {
    if (!Files.isRegularFile(file)) {
      return CompletableFuture.failedFuture(new ObjectStoreException(
          "upload " + uri(key) + " failed: no such file " + file, new NoSuchFileException(file.toString()), false));
    }
    return upload(key, FileIO.fromPath(file));
  }

  /**
   * Uploads what the source emits. On a retry the source is materialized again, so it must be
   * re-runnable (FileIO, Source.single and the like are).
   */
  public CompletionStage<Done> upload(String key, Source<ByteString, ?> data) {
    return retries.run("upload " + uri(key), () ->
        data.runWith(S3.multipartUpload(settings.bucket(), key).withAttributes(s3), system)
            .thenApply(r -> Done.getInstance()));
  }

  /** Stores a small object in one request. */
  public CompletionStage<Done> put(String key, byte[] bytes) {
    return retries.run("put " + uri(key), () ->
        S3.putObject(settings.bucket(), key, Source.single(ByteString.fromArray(bytes)), bytes.length)
            .withAttributes(s3).runWith(Sink.ignore(), system));
  }

  /** The whole object in memory, or empty when there is no such key. For small objects. */
  public CompletionStage<Optional<byte[]>> get(String key) {
    return retries.run("get " + uri(key), () ->
        downloadSource(key).runWith(Sink.head(), system).thenCompose(found -> {
          if (found.isEmpty()) return CompletableFuture.completedFuture(Optional.<byte[]>empty());
          return found.get().first()
              .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
              .thenApply(bytes -> Optional.of(bytes.toArray()));
        }));
  }

  /**
   * Streams the object into {@code target}: written to a temp file, fsynced and renamed, so the
   * target is either absent or complete. False when there is no such key.
   */
  public CompletionStage<Boolean> download(String key, Path target) {
    Path tmp = target.resolveSibling(target.getFileName() + ".download");
    return retries.run("download " + uri(key) + " to " + target, () ->
        downloadSource(key).runWith(Sink.head(), system).thenCompose(found -> {
          if (found.isEmpty()) return CompletableFuture.completedFuture(false);
          return found.get().first().runWith(FileIO.toPath(tmp), system)
              .thenApplyAsync(io -> {
                publish(tmp, target);
                return true;
              }, system.dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking()));
        }));
  }

  /** Every object whose key starts with {@code prefix}, in key order. */
  public CompletionStage<List<ObjectInfo>> list(String prefix) {
    return retries.run("list " + uri(prefix) + "*", () ->
        S3.listBucket(settings.bucket(), Optional.of(prefix)).withAttributes(s3)
            .filter(c -> !c.key().endsWith("/"))   // the filesystem store lists directory markers
            .map(ObjectStore::info)
            .runWith(Sink.seq(), system));
  }

  /** Removes the object; removing an absent key succeeds. */
  public CompletionStage<Done> delete(String key) {
    return retries.run("delete " + uri(key), () ->
        S3.deleteObject(settings.bucket(), key).withAttributes(s3).runWith(Sink.ignore(), system));
  }

  private Source<Optional<Pair<Source<ByteString, NotUsed>, ObjectMetadata>>, NotUsed> downloadSource(String key) {
    return S3.download(settings.bucket(), key).withAttributes(s3);
  }

  private String uri(String key) {
    return "s3://" + settings.bucket() + "/" + key;
  }

  private static ObjectInfo info(ListBucketResultContents c) {
    return new ObjectInfo(c.key(), c.size(), c.eTag().replace("\"", ""));
  }

  private static void publish(Path tmp, Path target) {
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      DurableFile.fsyncDirectory(target.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
