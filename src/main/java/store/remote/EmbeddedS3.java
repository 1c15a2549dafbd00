package store.remote;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * An S3-compatible server for the local cluster and tests: S3Proxy over a jclouds filesystem store
 * in {@code dir} (one directory per bucket, one file per object), listening on 127.0.0.1 only,
 * with AWS V2/V4 signature checks against the one static key pair. Objects survive a restart on
 * the same directory.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final int port;

  private EmbeddedS3(S3Proxy proxy, BlobStoreContext context) {
    this.proxy = proxy;
    this.context = context;
    this.port = proxy.getPort();
  }

  /** Starts the server and returns once it accepts requests; {@code port} 0 picks a free port. */
  public static EmbeddedS3 start(Path dir, int port, String accessKey, String secretKey) throws IOException {
    Files.createDirectories(dir);
    Properties props = new Properties();
    props.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dir.toAbsolutePath().toString());
    BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
        .credentials(accessKey, secretKey)
        .overrides(props)
        .buildView(BlobStoreContext.class);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .build();
    try {
      proxy.start();
      awaitStarted(proxy);
    } catch (Exception e) {
      context.close();
      throw new IOException("cannot start the embedded S3 server on 127.0.0.1:" + port + " over " + dir + ": " + e.getMessage(), e);
    }
    return new EmbeddedS3(proxy, context);
  }

  /** S3Proxy's start() can return before Jetty accepts connections (STACK.md P4). */
  private static void awaitStarted(S3Proxy proxy) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) throw new IOException("state " + proxy.getState() + " after 30 s");
      Thread.sleep(5);
    }
  }

  /** Creates the bucket unless it exists (the same as a client's PUT bucket, without a client). */
  public void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  public int port() {
    return port;
  }

  /** The URL clients use, e.g. {@code http://127.0.0.1:9000}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded S3 server on port " + port, e);
    } finally {
      context.close();
    }
  }
}
