package actors.compute;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * The pageserver as a compute sees it: {@code GET /v1/tenant/{t}/timeline/{tl}} for the
 * timeline's {@code last_record_lsn}, and {@code basebackup <tenant> <timeline> <lsn> [--read-only] --no-wal-padding}
 * on its PostgreSQL protocol for the data directory.
 */
public final class PageserverClient implements BasebackupSource {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final ComputeSpec.Pageserver pageserver;
  private final Duration ioTimeout;

  /** The one HTTP client of the compute's pageserver calls (building it is slow on a cold JVM: see {@link StartPathWarmup}). */
  static HttpClient http() {
    return HTTP;
  }

  public PageserverClient(ComputeSpec.Pageserver pageserver, Duration ioTimeout) {
    this.pageserver = pageserver;
    this.ioTimeout = ioTimeout;
  }

  @Override
  public CompletionStage<Lsn> lastRecordLsn(String tenantId, String timelineId) {
    URI uri = pageserver.http().resolve("/v1/tenant/" + tenantId + "/timeline/" + timelineId);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(ioTimeout).GET().build();
    return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri + " answered " + r.statusCode() + ": " + r.body().strip());
      }
      JsonNode info;
      try {
        info = ComputeSpecJson.MAPPER.readTree(r.body());
      } catch (IOException e) {
        throw new IllegalStateException("GET " + uri + " answered malformed JSON: " + e.getMessage());
      }
      JsonNode lsn = info.get("last_record_lsn");
      if (lsn == null || !lsn.isTextual()) throw new IllegalStateException("GET " + uri + " has no last_record_lsn: " + r.body().strip());
      return Lsn.parse(lsn.asText());
    });
  }

  @Override
  public InputStream open(String tenantId, String timelineId, Lsn lsn, boolean readOnly) throws IOException {
    // the WAL segment's zero tail stays home: the compute pads it back (WalPadding)
    String query = "basebackup " + tenantId + " " + timelineId + " " + lsn + (readOnly ? " --read-only" : "") + " --no-wal-padding";
    return BasebackupStream.open(pageserver.host(), pageserver.port(), pageserver.user(), pageserver.password(), query, ioTimeout);
  }
}
