package testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import store.wal.WalSegments;
import wire.xlog.Lsn;

/**
 * Safekeeper nodes for one timeline whose data dirs and ports survive a SIGKILL and a new start,
 * so a node can crash and come back as itself. Reads each node's timeline status over HTTP and its
 * WAL from the segment files. {@link #close()} kills every node and deletes every dir.
 */
public final class SafekeeperNodes implements AutoCloseable {
  public static final Duration READY = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final String tenant;
  private final String timeline;
  private final int[] pgPorts;
  private final int[] httpPorts;
  private final StrataProcess[] nodes;
  private final List<Integer> seeds;

  private SafekeeperNodes(Path root, String tenant, String timeline, int n, List<Integer> seeds) {
    this.root = root;
    this.seeds = List.copyOf(seeds);
    this.tenant = tenant;
    this.timeline = timeline;
    this.pgPorts = new int[n];
    this.httpPorts = new int[n];
    this.nodes = new StrataProcess[n];
    for (int i = 0; i < n; i++) {
      pgPorts[i] = Ports.free();
      httpPorts[i] = Ports.free();
    }
  }

  /** Starts n safekeeper nodes (ids 1..n), each a cluster of its own, and waits until each is ready. */
  public static SafekeeperNodes start(int n, String tenant, String timeline) {
    return start(n, tenant, timeline, List.of());
  }

  /**
   * As above, but every node (also when restarted) joins the cluster of the given seed remoting
   * ports, e.g. a test's own actor system that reads the safekeepers' gossip.
   */
  public static SafekeeperNodes start(int n, String tenant, String timeline, List<Integer> seeds) {
    Path root;
    try {
      root = Files.createTempDirectory("strata-safekeepers-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SafekeeperNodes sks = new SafekeeperNodes(root, tenant, timeline, n, seeds);
    try {
      for (int i = 0; i < n; i++) sks.launch(i);
      for (StrataProcess node : sks.nodes) node.awaitReady(READY);
      return sks;
    } catch (RuntimeException | Error e) {
      sks.close();
      throw e;
    }
  }

  private void launch(int i) {
    nodes[i] = StrataProcess.start("sk" + (i + 1), List.of("safekeeper"), seeds,
        Map.of("strata.safekeeper.pg-port", pgPorts[i], "strata.safekeeper.http-port", httpPorts[i],
            "strata.data-dir", root.resolve("sk" + (i + 1)).toString(), "strata.node-id", Integer.toString(i + 1)));
  }

  public int size() {
    return nodes.length;
  }

  /** A scratch directory deleted with the nodes, for proposer logs and copies. */
  public Path root() {
    return root;
  }

  /** {@code host:port,…} of the PostgreSQL-protocol ports, for {@code --safekeepers}. */
  public String proposerList() {
    StringJoiner out = new StringJoiner(",");
    for (int p : pgPorts) out.add("127.0.0.1:" + p);
    return out.toString();
  }

  public int pgPort(int i) {
    return pgPorts[i];
  }

  /** SIGKILL: the node's data stays as the crash left it. */
  public void kill(int i) {
    nodes[i].kill();
  }

  /** Starts node i again on its data dir and ports (after {@link #kill}) and waits until it is ready. */
  public void restart(int i) {
    nodes[i].close();
    launch(i);
    nodes[i].awaitReady(READY);
  }

  /** Starts node i again without waiting for it. */
  public void restartNoWait(int i) {
    nodes[i].close();
    launch(i);
  }

  public StrataProcess node(int i) {
    return nodes[i];
  }

  public Path timelineDir(int i) {
    return root.resolve("sk" + (i + 1)).resolve("safekeeper").resolve(tenant).resolve(timeline);
  }

  /** A GET on node i's safekeeper HTTP API: status code and body; -1 when nothing answers. */
  public HttpResult get(int i, String path) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i] + path)).timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      return new HttpResult(r.statusCode(), r.body());
    } catch (IOException e) {
      return new HttpResult(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public record HttpResult(int status, String body) {}

  /** GET /v1/tenant/{t}/timeline/{tl} on node i; fails unless it answers 200. */
  public JsonNode timelineStatus(int i) {
    HttpResult r = get(i, "/v1/tenant/" + tenant + "/timeline/" + timeline);
    if (r.status() != 200) throw new AssertionError("timeline status on sk" + (i + 1) + ": " + r.status() + " " + r.body());
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Lsn commitLsn(int i) {
    return Lsn.parse(timelineStatus(i).path("commit_lsn").asText());
  }

  public Lsn flushLsn(int i) {
    return Lsn.parse(timelineStatus(i).path("flush_lsn").asText());
  }

  public long term(int i) {
    return Long.parseUnsignedLong(timelineStatus(i).path("acceptor_state").path("term").asText());
  }

  /** Waits until every node reports the same commit_lsn, equal to its flush_lsn, and returns it. */
  public Lsn awaitSameCommitLsn(Duration timeout) {
    Lsn[] agreed = new Lsn[1];
    List<String> last = new ArrayList<>();
    try {
      StrataProcess.await(timeout, "the same commit_lsn on every safekeeper", () -> {
        last.clear();
        Lsn first = null;
        boolean same = true;
        for (int i = 0; i < nodes.length; i++) {
          JsonNode s = timelineStatus(i);
          last.add("sk" + (i + 1) + " commit=" + s.path("commit_lsn").asText() + " flush=" + s.path("flush_lsn").asText());
          Lsn c = Lsn.parse(s.path("commit_lsn").asText());
          same &= c.equals(Lsn.parse(s.path("flush_lsn").asText())) && (first == null || c.equals(first));
          if (first == null) first = c;
        }
        agreed[0] = first;
        return same;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + last, e);
    }
    return agreed[0];
  }

  /** Node i's WAL bytes in [from, to), read from its segment files ({@code .partial} included). */
  public byte[] wal(int i, Lsn from, Lsn to) {
    long segSize = Lsn.DEFAULT_SEGMENT_SIZE;
    ByteBuffer out = ByteBuffer.allocate((int) to.minus(from));
    try {
      while (out.hasRemaining()) {
        Lsn at = from.plus(out.position());
        int got = WalSegments.read(timelineDir(i), segSize, at, out);
        if (got <= 0) throw new AssertionError("sk" + (i + 1) + " has no WAL at " + at + " (wanted up to " + to + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.array();
  }

  @Override
  public void close() {
    for (StrataProcess node : nodes) {
      if (node != null) node.close();
    }
    TempDirs.delete(root);
  }
}
