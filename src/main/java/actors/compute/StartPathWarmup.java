package actors.compute;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Runs the cold code of the start path once while the compute waits for its spec, so that a
 * {@code /configure} does not pay for it: on a fresh JVM building the JDK HTTP client and its first
 * request take several hundred ms (seconds on a loaded machine), and so does the first pgjdbc
 * connect. Both are aimed at this node itself, where nothing is changed: a GET of its own
 * {@code /status}, and a connect to its PostgreSQL port, which nothing listens on yet. Failures are
 * expected and ignored.
 */
final class StartPathWarmup {
  private StartPathWarmup() {}

  /** Blocking; returns what it did, for one log line. */
  static String run(String host, int httpPort, int pgPort) {
    long t0 = System.nanoTime();
    String http;
    try {
      URI uri = URI.create("http://" + host + ":" + httpPort + "/status");
      HttpResponse<String> r = PageserverClient.http().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      http = "http=" + r.statusCode();
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      http = "http=" + e.getClass().getSimpleName();
    }
    long t1 = System.nanoTime();
    String jdbc;
    Properties p = new Properties();
    p.setProperty("user", "warmup");
    p.setProperty("connectTimeout", "2");
    try (var c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + pgPort + "/postgres", p)) {
      jdbc = "jdbc=connected";   // someone else's server on our port: harmless, we only connected
    } catch (SQLException e) {
      jdbc = "jdbc=" + e.getSQLState();
    }
    long t2 = System.nanoTime();
    return http + " in " + (t1 - t0) / 1_000_000 + " ms, " + jdbc + " in " + (t2 - t1) / 1_000_000 + " ms";
  }
}
