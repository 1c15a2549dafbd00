package store.redo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import store.FileTrees;

/**
 * The throwaway PostgreSQL cluster a redo process runs on, and the files around it in its work
 * directory: the extension extracted from the jar, the socket and the log. It never holds real
 * data; the scratch relations stay empty files.
 */
final class ScratchCluster {
  static final String EXTENSION_RESOURCE = "/walredo/strata_walredo.so";
  /**
   * The scratch WAL starts at FFFF0000/0, beyond any source LSN. Should a scratch page ever be
   * written out, the WAL flush up to its (source) LSN is then a no-op instead of an ERROR.
   */
  private static final String FAR_AHEAD_WAL_SEGMENT = "00000001FFFF000000000000";
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  final Path dir;
  final Path dataDir;
  final Path library;
  final Path socket;
  final Path log;

  private ScratchCluster(Path dir) {
    this.dir = dir;
    this.dataDir = dir.resolve("pgdata");
    this.library = dir.resolve("strata_walredo.so");
    this.socket = dir.resolve("redo.sock");
    this.log = dir.resolve("postgres.log");
  }

  /** Makes the work directory ready; initdb runs only the first time. */
  static ScratchCluster prepare(WalRedoSettings settings) throws IOException {
    ScratchCluster c = new ScratchCluster(settings.workDir().toAbsolutePath());
    Files.createDirectories(c.dir);
    Files.setPosixFilePermissions(c.dir, PosixFilePermissions.fromString("rwx------"));
    c.extractLibrary();
    if (!Files.exists(c.dataDir.resolve("PG_VERSION"))) c.initdb(settings);
    RunAs.own(settings.osUser(), c.dir);
    return c;
  }

  private void extractLibrary() throws IOException {
    byte[] wanted;
    try (InputStream in = ScratchCluster.class.getResourceAsStream(EXTENSION_RESOURCE)) {
      if (in == null) {
        throw new IOException("the redo extension " + EXTENSION_RESOURCE + " is not on the classpath; build it with mvn (generate-resources)");
      }
      wanted = in.readAllBytes();
    }
    if (Files.exists(library) && Arrays.equals(Files.readAllBytes(library), wanted)) return;
    Path tmp = dir.resolve("strata_walredo.so.tmp");
    Files.write(tmp, wanted);
    Files.move(tmp, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void initdb(WalRedoSettings settings) throws IOException {
    FileTrees.delete(dataDir);   // a half-made cluster from an interrupted initdb
    RunAs.own(settings.osUser(), dir);
    String bin = settings.binDir().toString();
    run(settings, List.of(bin + "/initdb", "-D", dataDir.toString(), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--locale=C", "--no-sync"));
    run(settings, List.of(bin + "/pg_resetwal", "-l", FAR_AHEAD_WAL_SEGMENT, dataDir.toString()));
  }

  private void run(WalRedoSettings settings, List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(RunAs.command(settings.osUser(), cmd))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    try {
      if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not finish within " + TOOL_TIMEOUT_SECONDS + " s; log " + log);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + cmd.get(0), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(cmd.get(0) + " exited with " + p.exitValue() + ":\n" + logTail(20));
    }
  }

  /** The last lines of the log, for error messages. */
  String logTail(int lines) {
    try (var f = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, f.length() - 16 * 1024);
      byte[] bytes = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(bytes);
      List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Keeps the previous process's log as postgres.log.1 and starts a fresh one. */
  void rotateLog() throws IOException {
    if (Files.exists(log)) Files.move(log, dir.resolve("postgres.log.1"), StandardCopyOption.REPLACE_EXISTING);
  }
}
