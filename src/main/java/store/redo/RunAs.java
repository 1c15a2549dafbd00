package store.redo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL refuses to run as root. Its processes run as the configured OS user, through
 * {@code runuser} when that is not the current user, and the files they need are handed to it.
 */
public final class RunAs {
  private RunAs() {}

  /** The default of {@code strata.postgres.os-user}: the current user; {@code strata} when that is root. */
  public static String defaultUser() {
    String me = System.getProperty("user.name");
    return "root".equals(me) ? "strata" : me;
  }

  public static boolean isCurrent(String user) {
    return user.equals(System.getProperty("user.name"));
  }

  public static List<String> command(String user, List<String> cmd) {
    if (isCurrent(user)) return cmd;
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  /** The principal to give files to, or null when {@code user} is the current user (nothing to give). */
  public static UserPrincipal ownerOrNull(String user, Path anyPath) throws IOException {
    if (isCurrent(user)) return null;
    return anyPath.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
  }

  /** Gives {@code path} (and everything under it) to {@code user}. */
  public static void own(String user, Path path) throws IOException {
    if (isCurrent(user)) return;
    UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    try (var paths = Files.walk(path)) {
      for (Path p : (Iterable<Path>) paths::iterator) Files.setOwner(p, owner);
    }
  }
}
