package bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import store.remote.EmbeddedS3;
import store.remote.ObjectStore;
import store.remote.S3Settings;
import testkit.TempDirs;

/**
 * WAL segment upload throughput to the embedded S3 server: {@link ObjectStore#upload(String, Path)}
 * (a streamed multipart upload from the file, 5 MiB parts, as WAL backup does it) against
 * {@link ObjectStore#put} of the same bytes already in memory (one PUT), to the same server, in the
 * same run, alternating. Uploads are sequential, as a timeline's backup is. Best of N runs each.
 * Arguments: [segments of 16 MiB, default 16] [runs, default 3].
 */
public final class S3UploadBench {
  private static final int SEGMENT = 16 << 20;

  public static void main(String[] args) throws Exception {
    int segments = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path root = Files.createTempDirectory("strata-s3-bench-");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "s3bench", ConfigFactory.parseString(
        "akka.actor.provider = local\nakka.http.host-connection-pool { max-retries = 0, max-connection-backoff = 1s }")
        .withFallback(ConfigFactory.load()));
    try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), 0, "strata", "strata-secret")) {
      ObjectStore store = ObjectStore.create(system, new S3Settings(s3.endpoint(), "strata", "us-east-1", "strata", "strata-secret"));
      store.ensureBucket().toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<Path> files = new ArrayList<>();
      List<byte[]> contents = new ArrayList<>();
      Random random = new Random(42);
      for (int i = 0; i < segments; i++) {
        byte[] b = new byte[SEGMENT];
        random.nextBytes(b);
        contents.add(b);
        files.add(Files.write(root.resolve(String.format("%024X", i + 1)), b));
      }
      System.out.println("S3UploadBench: " + segments + " segments of 16 MiB, " + runs + " runs; " + Machine.describe());
      double bestUpload = 0;
      double bestPut = 0;
      for (int run = 1; run <= runs; run++) {
        Machine m0 = Machine.sample();
        long t0 = System.nanoTime();
        for (int i = 0; i < segments; i++) {
          store.upload("wal/bench/upload/" + files.get(i).getFileName(), files.get(i)).toCompletableFuture().get(300, TimeUnit.SECONDS);
        }
        double upload = mibPerSecond(segments, System.nanoTime() - t0);
        double uploadBusy = Machine.sample().busyPercentSince(m0);
        Machine m1 = Machine.sample();
        long t1 = System.nanoTime();
        for (int i = 0; i < segments; i++) {
          store.put("wal/bench/put/" + files.get(i).getFileName(), contents.get(i)).toCompletableFuture().get(300, TimeUnit.SECONDS);
        }
        double put = mibPerSecond(segments, System.nanoTime() - t1);
        double putBusy = Machine.sample().busyPercentSince(m1);
        System.out.printf("run %d: upload (multipart from file) %.1f MiB/s (cpu %.0f%%), put (one request from memory) %.1f MiB/s (cpu %.0f%%)%n",
            run, upload, uploadBusy, put, putBusy);
        bestUpload = Math.max(bestUpload, upload);
        bestPut = Math.max(bestPut, put);
      }
      System.out.printf("best: upload %.1f MiB/s, put %.1f MiB/s, upload/put %.2f%n", bestUpload, bestPut, bestUpload / bestPut);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      TempDirs.delete(root);
    }
  }

  private static double mibPerSecond(int segments, long nanos) {
    return segments * 16.0 / (nanos / 1e9);
  }
}
