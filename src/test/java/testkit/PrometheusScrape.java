package testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads one metric from a node's Prometheus {@code /metrics}. */
public final class PrometheusScrape {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private PrometheusScrape() {}

  /** The sum of {@code name} over its labels at {@code base + "/metrics"}, 0 when the node does not export it yet. */
  public static double sum(String base, String name) {
    String url = base + "/metrics";
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: GET " + url, e);
    }
    if (r.statusCode() != 200) throw new AssertionError("GET " + url + " gave " + r.statusCode() + ": " + r.body());
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }
}
