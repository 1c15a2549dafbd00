package actors.compute;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a PGDATA tar as it streams in: directories 0700, files 0600 (what PostgreSQL demands of
 * a data directory), no entry outside the target, no links. After the end-of-archive marker the
 * rest of the stream is read too, so an error the server sends after the tar is not missed.
 *
 * <p>Mode and owner are set as each entry is created, so no second walk of the tree is needed.
 * Nothing is fsynced: a compute's data directory is disposable, rebuilt from storage on every
 * start, and PostgreSQL's own durability (WAL to the safekeepers) does not rest on these files
 * having reached the disk; a crash before they do simply means the next start unpacks again.
 */
final class TarUnpacker {
  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTR = PosixFilePermissions.asFileAttribute(DIR_MODE);
  private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(FILE_MODE);
  /** Relation segments are large: copy them in big steps (one write call per 1 MiB). */
  private static final int COPY_BUFFER = 1 << 20;

  private TarUnpacker() {}

  /** Unpacks into {@code dir}, which must exist; returns the bytes read from {@code source}. */
  static long unpack(InputStream stream, Path dir) throws IOException {
    return unpack(stream, dir, null);
  }

  /**
   * The same, and every file and directory it makes is given to {@code ownerOrNull} as it is made
   * (null: left to the current user).
   */
  static long unpack(InputStream stream, Path dir, UserPrincipal ownerOrNull) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Counting source = new Counting(stream);
    TarArchiveInputStream tar = new TarArchiveInputStream(source);
    ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
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
        createDirectories(target, ownerOrNull);
        Files.setPosixFilePermissions(target, DIR_MODE);   // exact even under an unusual umask
      } else {
        createDirectories(target.getParent(), ownerOrNull);
        copy(tar, target, buffer);
        Files.setPosixFilePermissions(target, FILE_MODE);
        if (ownerOrNull != null) Files.setOwner(target, ownerOrNull);
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

  /** The current entry's bytes into a new file created 0600, through one reused buffer. */
  private static void copy(InputStream entry, Path target, ByteBuffer buffer) throws IOException {
    try (FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE), FILE_ATTR)) {
      byte[] b = buffer.array();
      while (true) {
        int filled = 0;
        for (int n; filled < b.length && (n = entry.read(b, filled, b.length - filled)) > 0; ) filled += n;
        if (filled == 0) return;
        buffer.clear().limit(filled);
        while (buffer.hasRemaining()) out.write(buffer);
        if (filled < b.length) return;
      }
    }
  }

  /** Like Files.createDirectories, but every directory it makes is 0700 and given to the owner too. */
  private static void createDirectories(Path dir, UserPrincipal ownerOrNull) throws IOException {
    if (Files.isDirectory(dir)) return;
    createDirectories(dir.getParent(), ownerOrNull);
    Files.createDirectory(dir, DIR_ATTR);
    if (ownerOrNull != null) Files.setOwner(dir, ownerOrNull);
  }

  private static String kind(TarArchiveEntry e) {
    if (e.isSymbolicLink()) return "symbolic link to '" + e.getLinkName() + "' (tablespaces are not supported)";
    if (e.isLink()) return "hard link";
    return "special file";
  }
}
