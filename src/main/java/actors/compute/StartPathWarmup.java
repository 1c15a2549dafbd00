package actors.compute;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Runs the cold code of the start path once while the compute waits for its spec, so that a
 * {@code /configure} pays less for it: on a fresh JVM building the JDK HTTP client and its first
 * request take several hundred ms (seconds on a loaded machine). The request is a GET of this
 * node's own {@code /status}; pgjdbc's connection classes are loaded without connecting anywhere
 * (the PostgreSQL port may belong to a server started meanwhile), and the safekeeper fast check's
 * decoding runs over a canned answer, and a sample spec is parsed and written back. The node reports
 * ready when this is done. Failures are ignored.
 */
final class StartPathWarmup {
  private static final String[] JDBC_CLASSES = {"org.postgresql.Driver", "org.postgresql.jdbc.PgConnection",
      "org.postgresql.core.v3.ConnectionFactoryImpl", "org.postgresql.core.v3.QueryExecutorImpl", "org.postgresql.jdbc.PgStatement",
      "org.postgresql.jdbc.PgResultSet"};

  /** What a /configure body looks like; parsed and written back as /configure and the spec file do. */
  private static final String SAMPLE_SPEC = "{\"spec\": {\"tenant_id\": \"00000000000000000000000000000001\","
      + " \"timeline_id\": \"00000000000000000000000000000002\", \"mode\": \"Primary\","
      + " \"safekeeper_connstrings\": [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:3\"],"
      + " \"pageserver_connstring\": \"postgresql://compute@127.0.0.1:4\", \"pageserver_http_url\": \"http://127.0.0.1:5\","
      + " \"suspend_timeout_seconds\": -1, \"cluster\": {\"roles\": [], \"databases\": []}}}";

  private StartPathWarmup() {}

  /** Blocking; returns what it did, for one log line. */
  static String run(String host, int httpPort) {
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
    int loaded = 0;
    for (String c : JDBC_CLASSES) {
      try {
        Class.forName(c);
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        // a renamed class in another pgjdbc version: only a missed warm-up
      }
    }
    long t2 = System.nanoTime();
    String check;
    try {
      check = "safekeeper check rehearsed (" + SafekeeperFastCheck.rehearse() + ")";
    } catch (Exception e) {
      check = "safekeeper check rehearsal failed: " + e;
    }
    String spec;
    try {
      spec = "spec round trip " + ComputeSpecJson.parse(ComputeSpecJson.write(ComputeSpecJson.parse(SAMPLE_SPEC))).mode().word();
    } catch (RuntimeException e) {
      spec = "spec round trip failed: " + e;
    }
    long t3 = System.nanoTime();
    return http + " in " + (t1 - t0) / 1_000_000 + " ms, " + loaded + " pgjdbc classes in " + (t2 - t1) / 1_000_000 + " ms, "
        + check + ", " + spec + " in " + (t3 - t2) / 1_000_000 + " ms";
  }
}
