package testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL refuses to run as root. When the tests run as root, server processes run as the
 * {@code strata} OS user (created here when missing) and the files they own are chowned to it.
 */
public final class OsUser {
  private static final String UNPRIVILEGED = "strata";
  private static volatile boolean ensured;

  private OsUser() {}

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The user server processes run as. */
  public static String name() {
    return isRoot() ? UNPRIVILEGED : System.getProperty("user.name");
  }

  /** Prefixes a command so that it runs as {@link #name()}. */
  public static List<String> command(List<String> cmd) {
    if (!isRoot()) return cmd;
    ensureExists();
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", UNPRIVILEGED, "--"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  /** Hands a directory (and everything under it) to {@link #name()}. */
  public static void own(Path dir) throws IOException {
    if (!isRoot()) return;
    ensureExists();
    UserPrincipal user = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(UNPRIVILEGED);
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) Files.setOwner(p, user);
    }
  }

  private static synchronized void ensureExists() {
    if (ensured) return;
    try {
      Process id = new ProcessBuilder("id", "-u", UNPRIVILEGED).redirectErrorStream(true).start();
      if (id.waitFor() != 0) {
        Process add = new ProcessBuilder("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", UNPRIVILEGED)
            .inheritIO().start();
        if (add.waitFor() != 0) throw new IllegalStateException("useradd " + UNPRIVILEGED + " failed");
      }
      ensured = true;
    } catch (IOException e) {
      throw new IllegalStateException("cannot check or create OS user " + UNPRIVILEGED, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating OS user " + UNPRIVILEGED, e);
    }
  }
}
