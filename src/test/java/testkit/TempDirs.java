package testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Recursive deletion for test temp dirs; best effort, never fails a test. */
public final class TempDirs {
  private TempDirs() {}

  public static void delete(Path root) {
    if (root == null || !Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is not a test failure
    }
  }
}
