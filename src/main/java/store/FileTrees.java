package store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Directory trees on disk. */
public final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code root} and everything under it, deepest first; nothing when it does not exist. Not fsynced. */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root)) return;
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) Files.deleteIfExists(p);
  }
}
