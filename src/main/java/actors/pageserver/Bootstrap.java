package actors.pageserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import store.redo.RunAs;

/**
 * A fresh PostgreSQL 15 data directory for a new root timeline: {@code initdb} in a temp dir, run
 * as the PostgreSQL OS user. The superuser is {@code cloud_admin} (the compute's admin user); data checksums are off (the
 * pageserver rewrites pd_lsn in images and does not recompute checksums).
 */
final class Bootstrap {
  static final String SUPERUSER = "cloud_admin";

  private Bootstrap() {}

  /** Runs initdb into {@code dir} (which must not exist yet) and returns it. */
  static Path initdb(Path binDir, String osUser, Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    List<String> cmd = List.of(binDir.resolve("initdb").toString(), "-D", dir.toString(), "-U", SUPERUSER,
        "--no-sync", "-E", "UTF8", "--locale=C", "--auth=trust");
    Path parent = dir.getParent();
    RunAs.own(osUser, parent);
    Process p = new ProcessBuilder(RunAs.command(osUser, cmd)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("initdb failed in " + dir + ": " + output.strip());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during initdb", e);
    }
    return dir;
  }
}
