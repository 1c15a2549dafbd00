package actors.compute;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a PGDATA tar as it streams in: directories 0700, files 0600 (what PostgreSQL demands of
 * a data directory), no entry outside the target, no links. After the end-of-archive marker the
 * rest of the stream is read too, so an error the server sends after the tar is not missed.
 */
final class TarUnpacker {
  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private TarUnpacker() {}

  /** Unpacks into {@code dir}, which must exist; returns the bytes read from {@code source}. */
  static long unpack(InputStream stream, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Counting source = new Counting(stream);
    TarArchiveInputStream tar = new TarArchiveInputStream(source);
    long files = 0;
    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
      Path target = root.resolve(e.getName()).normalize();
      if (!target.startsWith(root) || Path.of(e.getName()).isAbsolute()) {
        throw new IOException("basebackup entry '" + e.getName() + "' points outside the data directory");
      }
      if (e.isSymbolicLink() || e.isLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        throw new IOException("basebackup entry '" + e.getName() + "' is a " + kind(e) + "; only files and directories are supported");
      }
      if (e.isDirectory()) {
        createDirectories(target);
        Files.setPosixFilePermissions(target, DIR_MODE);
      } else {
        createDirectories(target.getParent());
        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, FILE_MODE);
        files++;
      }
    }
    if (files == 0) throw new IOException("the basebackup held no files");
    source.transferTo(OutputStream.nullOutputStream());
    return source.count;
  }

  /** Counts what the tar reader took from the stream. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }

  /** Like Files.createDirectories, but every directory it makes is 0700 too. */
  private static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) return;
    createDirectories(dir.getParent());
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
  }

  private static String kind(TarArchiveEntry e) {
    if (e.isSymbolicLink()) return "symbolic link to '" + e.getLinkName() + "' (tablespaces are not supported)";
    if (e.isLink()) return "hard link";
    return "special file";
  }
}
