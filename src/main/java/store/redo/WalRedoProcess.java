package store.redo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.pgdata.RelFileNode;
import wire.redo.RedoProtocol;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;

/**
 * One WAL redo process: {@code postgres --single} on a scratch cluster with the
 * {@code strata_walredo} extension, rebuilding pages from a base image and WAL records
 * ({@code src/main/c/strata_walredo/PROTOCOL.md}). Blocking; one caller at a time.
 *
 * <p>A request that fails throws or returns {@link RedoFailed} and the process stays usable. When
 * the process itself fails (exit, crash, hang, garbage) the call throws {@link RedoProcessFailed},
 * the process is killed, and every later call throws the same; the owner starts a new one on the
 * same work directory, which skips initdb and takes about a tenth of a second.
 */
public final class WalRedoProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WalRedoProcess.class);
  private static final Duration EXIT_GRACE = Duration.ofSeconds(5);

  private final WalRedoSettings settings;
  private final ScratchCluster cluster;
  private final Process process;
  private final RedoConnection connection;
  private RedoProcessFailed broken;

  private WalRedoProcess(WalRedoSettings settings, ScratchCluster cluster, Process process, RedoConnection connection) {
    this.settings = settings;
    this.cluster = cluster;
    this.process = process;
    this.connection = connection;
  }

  /** Prepares the work directory (initdb the first time), starts the process and waits for it to connect. */
  public static WalRedoProcess start(WalRedoSettings settings) throws RedoProcessFailed {
    ScratchCluster cluster;
    try {
      cluster = ScratchCluster.prepare(settings);
      cluster.rotateLog();
    } catch (IOException e) {
      throw new RedoProcessFailed("cannot prepare redo work dir " + settings.workDir() + ": " + e.getMessage(), e);
    }
    Process process = null;
    try (RedoConnection.Listener listener = RedoConnection.listen(cluster.socket)) {
      RunAs.own(settings.osUser(), cluster.socket);
      process = spawn(settings, cluster);
      RedoConnection connection = listener.accept(process, settings.timeout());
      WalRedoProcess p = new WalRedoProcess(settings, cluster, process, connection);
      p.checkHello(connection.hello(settings.timeout()));
      log.info("walredo process started pid={} dir={}", p.pid(), cluster.dir);
      return p;
    } catch (IOException | TimeoutException | RuntimeException e) {
      if (process != null) kill(process);
      throw new RedoProcessFailed("redo process in " + cluster.dir + " did not start: " + e.getMessage()
          + "\n" + cluster.logTail(30), e);
    }
  }

  private static Process spawn(WalRedoSettings settings, ScratchCluster cluster) throws IOException {
    List<String> cmd = List.of(settings.binDir().resolve("postgres").toString(), "--single",
        "-D", cluster.dataDir.toString(),
        "-c", "fsync=off",
        // 128 buffers: a request touches a handful, and every buffer drop scans them all.
        "-c", "shared_buffers=1MB",
        // Hint bits must never write WAL into the scratch cluster (walredo.md pitfall 9).
        "-c", "wal_log_hints=off",
        "postgres");
    Process p = new ProcessBuilder(RunAs.command(settings.osUser(), cmd))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(cluster.log.toFile()))
        .start();
    String sql = "CREATE OR REPLACE FUNCTION walredo_serve(text) RETURNS void AS " + quote(cluster.library.toString())
        + " LANGUAGE C STRICT;\nSELECT walredo_serve(" + quote(cluster.socket.toString()) + ");\n";
    // Closing stdin makes postgres exit as soon as walredo_serve returns.
    try (OutputStream stdin = p.getOutputStream()) {
      stdin.write(sql.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private void checkHello(RedoProtocol.Hello h) throws IOException {
    if (h.version() != RedoProtocol.VERSION || h.blockSize() != RedoProtocol.PAGE_SIZE || h.pgVersionNum() / 10000 != 15) {
      throw new IOException("incompatible redo service: protocol " + h.version() + ", PostgreSQL " + h.pgVersionNum()
          + ", block size " + h.blockSize() + "; expected protocol " + RedoProtocol.VERSION + ", PostgreSQL 15, 8192");
    }
  }

  /** Rebuilds one page. */
  public byte[] apply(RelFileNode rel, int fork, int blkno, byte[] baseImageOrNull, List<RedoRecord> records) throws RedoException {
    return applyAll(List.of(new RedoRequest(rel, fork, blkno, baseImageOrNull, records))).get(0).pageOrThrow();
  }

  /** Pipelines the requests; one result per request, in order. */
  public List<RedoResult> applyAll(List<RedoRequest> requests) throws RedoProcessFailed {
    if (broken != null) throw broken;
    List<RedoProtocol.Reply> replies;
    try {
      replies = connection.exchange(requests, settings.timeout());
    } catch (IOException | TimeoutException | IllegalArgumentException e) {
      throw fail(e);
    }
    List<RedoResult> results = new ArrayList<>(replies.size());
    for (int i = 0; i < replies.size(); i++) {
      RedoRequest r = requests.get(i);
      RedoProtocol.Reply reply = replies.get(i);
      if (reply instanceof RedoProtocol.Page p) {
        results.add(new RedoResult.Page(p.bytes()));
      } else if (reply instanceof RedoProtocol.Failure f) {
        results.add(new RedoResult.Failed(new RedoFailed(r.rel(), r.fork(), r.blkno(), f.lsn(), f.message())));
      } else {
        throw fail(new IOException("unexpected " + reply + " in reply to " + r.block()));
      }
    }
    return results;
  }

  /** The postgres backend's pid (not runuser's). */
  public long pid() {
    return process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .findFirst().orElse(process.toHandle()).pid();
  }

  public boolean isUsable() {
    return broken == null && process.isAlive();
  }

  private RedoProcessFailed fail(Exception cause) {
    String status = cause instanceof TimeoutException ? "hung" : exitStatus();
    kill(process);
    broken = new RedoProcessFailed("redo process pid=" + process.pid() + " in " + cluster.dir + " failed (" + status + "): "
        + cause.getMessage() + "\n" + cluster.logTail(30), cause);
    log.warn("walredo process failed dir={} status={} cause={}", cluster.dir, status, cause.getMessage());
    return broken;
  }

  /** A crashed process is usually gone by the time its socket reports EOF; wait briefly to learn how it ended. */
  private String exitStatus() {
    try {
      if (process.waitFor(1, TimeUnit.SECONDS)) return "exit " + process.exitValue();
      return "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void kill(Process p) {
    // Kill postgres itself: killing runuser alone would orphan it. runuser goes too, as it may be
    // stopped (it stops itself when its child is stopped) and then would never reap the child.
    List<ProcessHandle> postgres = p.descendants().toList();
    postgres.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      for (ProcessHandle h : postgres) h.onExit().get(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      log.warn("walredo process pid={} may still be running: {}", p.pid(), e.toString());
    }
  }

  /** Asks the process to stop, and kills it if it does not within a few seconds. */
  @Override
  public void close() {
    try {
      if (broken == null) connection.sendExit();
    } catch (IOException e) {
      log.warn("walredo process pid={} did not take the stop message: {}", process.pid(), e.getMessage());
    }
    try {
      connection.close();
    } catch (IOException e) {
      log.warn("walredo socket close failed dir={}: {}", cluster.dir, e.getMessage());
    }
    try {
      if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) kill(process);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
    }
  }
}
