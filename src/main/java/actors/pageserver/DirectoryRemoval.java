package actors.pageserver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import store.DurableFile;
import store.FileTrees;

/**
 * Removes a tenant or timeline directory so that a crash half-way never leaves a directory that
 * looks alive: it is first renamed to {@code NAME.___deleting} (atomic, fsynced), then deleted.
 * Leftovers of an interrupted removal are deleted when the pageserver next opens the parent.
 */
final class DirectoryRemoval {
  static final String SUFFIX = ".___deleting";

  private DirectoryRemoval() {}

  /** Renames {@code dir} away, makes the rename durable, then deletes the tree. A missing dir is fine. */
  static void remove(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    Path away = dir.resolveSibling(dir.getFileName() + SUFFIX);
    FileTrees.delete(away);   // an earlier removal that crashed after its rename
    Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
    DurableFile.fsyncDirectory(dir.getParent());
    FileTrees.delete(away);
  }

  /** Deletes what interrupted removals left in {@code parent}. */
  static void finishInterrupted(Path parent) throws IOException {
    if (!Files.isDirectory(parent)) return;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "*" + SUFFIX)) {
      for (Path p : ds) FileTrees.delete(p);
    }
  }
}
