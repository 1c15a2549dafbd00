package app.cli;

import app.Failure;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import store.remote.EmbeddedS3;
import store.remote.S3Settings;

/** {@code strata s3 serve}: the embedded S3 server of the local cluster and tests. */
@Command(name = "s3", mixinStandardHelpOptions = true, description = "Object storage tools.",
    subcommands = {S3Command.Serve.class})
public final class S3Command implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: serve");
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = {
      "Serve S3 (S3Proxy over a filesystem store in DIR) on 127.0.0.1 until killed.",
      "Credentials are strata.s3.access-key/secret-key (env STRATA_S3_ACCESS_KEY/STRATA_S3_SECRET_KEY override);",
      "the bucket strata.s3.bucket is created when missing. Prints one line: endpoint=http://127.0.0.1:PORT"})
  static final class Serve implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where buckets and objects are kept.")
    Path dir;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0", description = "Port to listen on (default: any free port).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
      if (port < 0 || port > 65535) throw new Failure("--port must be 0..65535, got " + port);
      S3Settings settings = S3Settings.fromConfig(ConfigFactory.load().getConfig("strata"));
      EmbeddedS3 server;
      try {
        server = EmbeddedS3.start(dir, port, settings.accessKey(), settings.secretKey());
        server.createBucket(settings.bucket());
      } catch (IOException e) {
        throw new Failure(e.getMessage(), e);
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "s3-serve-shutdown"));
      spec.commandLine().getOut().println("endpoint=" + server.endpoint());
      spec.commandLine().getOut().flush();
      stopped.await();   // until SIGTERM/SIGINT runs the hook
      return 0;
    }
  }
}
