package testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import wire.xlog.Lsn;

/**
 * Timeline "main" of the default tenant of a {@link LocalStrata} that is up, seen through the
 * services' HTTP APIs and the safekeepers' directories: what the backup tests watch.
 */
public final class LocalMainTimeline {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final LocalStrata strata;
  public final String tenant;
  public final String timeline;
  private final String pageserver;
  private final List<String> safekeepers;

  private LocalMainTimeline(LocalStrata strata, String tenant, String timeline, String pageserver, List<String> safekeepers) {
    this.strata = strata;
    this.tenant = tenant;
    this.timeline = timeline;
    this.pageserver = pageserver;
    this.safekeepers = safekeepers;
  }

  /** Reads the addresses and the default tenant from {@code .strata/config}, and finds timeline main. */
  public static LocalMainTimeline of(LocalStrata strata) throws IOException {
    String config = Files.readString(strata.home().resolve("config"));
    String tenant = value(config, "tenant");
    String pageserver = value(config, "pageserver.http");
    String timeline = null;
    for (JsonNode tl : get(pageserver + "/v1/tenant/" + tenant + "/timeline")) {
      if ("main".equals(tl.path("name").asText())) timeline = tl.path("timeline_id").asText();
    }
    assertTrue(timeline != null, "timeline main exists");
    return new LocalMainTimeline(strata, tenant, timeline, pageserver, List.of(value(config, "safekeeper-http").split(",")));
  }

  public int safekeeperCount() {
    return safekeepers.size();
  }

  /** The pageserver's TimelineInfo. */
  public JsonNode pageserverInfo() {
    return get(pageserver + "/v1/tenant/" + tenant + "/timeline/" + timeline);
  }

  /** Safekeeper {@code sk}'s (1-based) status of the timeline. */
  public JsonNode safekeeperStatus(int sk) {
    return get(safekeepers.get(sk - 1) + "/v1/tenant/" + tenant + "/timeline/" + timeline);
  }

  /** Flushes the pageserver's in-memory layer to a layer file. */
  public void checkpointPageserver() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(pageserver + "/v1/tenant/" + tenant + "/timeline/" + timeline
        + "/checkpoint")).timeout(Duration.ofMinutes(5)).PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), "checkpoint: " + r.body());
  }

  /** Waits until the pageserver has ingested WAL up to {@code lsn}. */
  public void awaitIngested(Lsn lsn, Duration timeout) {
    StrataProcess.await(timeout, "the pageserver to ingest up to " + lsn,
        () -> !Lsn.parse(pageserverInfo().path("last_record_lsn").asText()).isBefore(lsn));
  }

  /** A counter or gauge from the pageserver's {@code /metrics} (0 when absent). */
  public double pageserverMetric(String name) {
    return PrometheusScrape.sum(pageserver, name);
  }

  /** A counter or gauge from safekeeper {@code sk}'s {@code /metrics}, summed over its labels (0 when absent). */
  public double safekeeperMetric(int sk, String name) {
    return PrometheusScrape.sum(safekeepers.get(sk - 1), name);
  }

  /** min(backup_lsn, remote_consistent_lsn, peer_horizon_lsn, commit_lsn): below it a safekeeper may remove WAL. */
  public static long horizon(JsonNode safekeeperStatus) {
    long h = Long.MAX_VALUE;
    for (String f : List.of("backup_lsn", "remote_consistent_lsn", "peer_horizon_lsn", "commit_lsn")) {
      h = Math.min(h, Lsn.parse(safekeeperStatus.path(f).asText()).value());
    }
    return h;
  }

  /** Safekeeper {@code sk}'s directory of the timeline's WAL. */
  public Path safekeeperDir(int sk) {
    return strata.home().resolve("data").resolve("safekeeper-" + sk).resolve("safekeeper").resolve(tenant).resolve(timeline);
  }

  /** The names of the WAL segment files (complete and {@code .partial}) safekeeper {@code sk} holds. */
  public TreeSet<String> segmentsOn(int sk) {
    try (Stream<Path> files = Files.list(safekeeperDir(sk))) {
      TreeSet<String> out = new TreeSet<>();
      files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}(\\.partial)?")).forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode get(String url) {
    HttpResponse<String> r = send(url);
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + " is not JSON: " + r.body(), e);
    }
  }

  private static HttpResponse<String> send(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: GET " + url, e);
    }
  }

  private static String value(String config, String key) {
    Matcher m = Pattern.compile("^" + Pattern.quote(key) + " = \"([^\"]*)\"", Pattern.MULTILINE).matcher(config);
    assertTrue(m.find(), key + " in .strata/config");
    return m.group(1);
  }
}
