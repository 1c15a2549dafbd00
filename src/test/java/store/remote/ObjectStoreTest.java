package store.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;

/** ObjectStore against a real embedded S3 server (S3Proxy over a filesystem store). */
class ObjectStoreTest {
  // ActorTestKit puts akka's reference defaults above application.conf: restate the pool settings.
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension(ConfigFactory.parseString(
      "akka.http.host-connection-pool { max-retries = 0, max-connection-backoff = 1s }"));

  private static final String ACCESS = "test-access";
  private static final String SECRET = "test-secret";

  @TempDir Path dir;
  private EmbeddedS3 server;
  private ObjectStore store;

  @BeforeEach
  void start() throws Exception {
    server = EmbeddedS3.start(dir.resolve("s3"), 0, ACCESS, SECRET);
    store = ObjectStore.create(testKit.kit().system(), settings(server.endpoint(), SECRET, RetryPolicy.DEFAULT));
    await(store.ensureBucket());
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private static S3Settings settings(String endpoint, String secret, RetryPolicy retry) {
    return new S3Settings(endpoint, "strata-test", "us-east-1", ACCESS, secret, retry);
  }

  @Test
  void fileOfMoreThanFiveMiBGoesUpInPartsAndComesBackIdentical() throws Exception {
    byte[] bytes = random(11 * 1024 * 1024 + 17, 1);
    Path file = Files.write(dir.resolve("big.bin"), bytes);
    await(store.upload("data/big.bin", file));

    List<ObjectInfo> listed = await(store.list("data/"));
    assertEquals(1, listed.size());
    assertEquals(bytes.length, listed.get(0).size());
    assertTrue(listed.get(0).etag().endsWith("-3"), "a 3-part multipart etag, got " + listed.get(0).etag());

    Path target = dir.resolve("back.bin");
    assertTrue(await(store.download("data/big.bin", target)));
    assertArrayEquals(bytes, Files.readAllBytes(target));
    assertArrayEquals(bytes, await(store.get("data/big.bin")).orElseThrow());
  }

  @Test
  void ensureBucketTwiceIsFine() throws Exception {
    await(store.ensureBucket());
    await(store.put("k", new byte[] {1}));
    assertEquals(1, await(store.list("")).size());
  }

  @Test
  void listReturnsOnlyKeysUnderThePrefixInKeyOrder() throws Exception {
    await(store.put("wal/t1/tl1/000000010000000000000002", new byte[] {2}));
    await(store.put("wal/t1/tl1/000000010000000000000001", new byte[] {1, 1}));
    await(store.put("wal/t1/tl2/000000010000000000000001", new byte[] {3}));
    await(store.put("tenants/t1/x", new byte[] {4}));

    List<ObjectInfo> listed = await(store.list("wal/t1/tl1/"));
    assertEquals(List.of("wal/t1/tl1/000000010000000000000001", "wal/t1/tl1/000000010000000000000002"),
        listed.stream().map(ObjectInfo::key).toList());
    assertEquals(2, listed.get(0).size());
    assertEquals(4, await(store.list("")).size());
  }

  @Test
  void missingKeyIsEmptyAndDownloadLeavesNoFile() throws Exception {
    assertTrue(await(store.get("no/such/key")).isEmpty());
    Path target = dir.resolve("absent.bin");
    assertFalse(await(store.download("no/such/key", target)));
    assertFalse(Files.exists(target));
    await(store.delete("no/such/key"));
  }

  @Test
  void deleteRemovesTheObject() throws Exception {
    await(store.put("a/1", new byte[] {1}));
    await(store.delete("a/1"));
    assertTrue(await(store.get("a/1")).isEmpty());
    assertTrue(await(store.list("a/")).isEmpty());
  }

  @Test
  void uploadWaitsForTheServerToComeBack() throws Exception {
    int port = server.port();
    server.close();
    server = null;
    byte[] bytes = random(100_000, 2);
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<Void> failedOnce = new CompletableFuture<>();
    // Each attempt materializes the source again: the second one proves the first failed.
    Source<ByteString, ?> data = Source.lazySource(() -> {
      if (attempts.incrementAndGet() == 2) failedOnce.complete(null);
      return Source.single(ByteString.fromArray(bytes));
    });
    var patient = ObjectStore.create(testKit.kit().system(),
        settings("http://127.0.0.1:" + port, SECRET, new RetryPolicy(100, Duration.ofMillis(50), Duration.ofMillis(200))));
    CompletionStage<?> upload = patient.upload("back/later", data);

    failedOnce.get(30, TimeUnit.SECONDS);
    server = EmbeddedS3.start(dir.resolve("s3"), port, ACCESS, SECRET);
    await(upload);
    assertTrue(attempts.get() >= 2);
    assertArrayEquals(bytes, await(store.get("back/later")).orElseThrow());
  }

  @Test
  void serverThatStaysDownFailsAfterTheLastAttempt() throws Exception {
    int port = server.port();
    server.close();
    server = null;
    var impatient = ObjectStore.create(testKit.kit().system(),
        settings("http://127.0.0.1:" + port, SECRET, new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20))));
    ObjectStoreException e = failure(impatient.put("k", new byte[] {1}));
    assertTrue(e.retriesExhausted());
    assertTrue(e.getMessage().contains("s3://strata-test/k") && e.getMessage().contains("3 attempts"), e.getMessage());
  }

  @Test
  void refusedRequestFailsAtOnceNamingBucketAndKey() throws Exception {
    var wrongKey = ObjectStore.create(testKit.kit().system(), settings(server.endpoint(), "wrong-secret", RetryPolicy.DEFAULT));
    ObjectStoreException e = failure(wrongKey.put("wal/x", new byte[] {1}));
    assertFalse(e.retriesExhausted());
    assertTrue(e.getMessage().contains("s3://strata-test/wal/x") && e.getMessage().contains("403"), e.getMessage());
  }

  @Test
  void uploadOfAMissingFileNamesTheFile() {
    ObjectStoreException e = failure(store.upload("x", dir.resolve("nope.bin")));
    assertTrue(e.getMessage().contains("nope.bin"), e.getMessage());
  }

  private static ObjectStoreException failure(CompletionStage<?> stage) {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
    return assertInstanceOf(ObjectStoreException.class, e.getCause());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
