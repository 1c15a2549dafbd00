package store.pgdatadir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Test helpers over basebackup tars: list entries, find where one starts, extract. */
final class Tars {
  private static final int BLOCK = 512;

  record Entry(String name, boolean directory, int mode, long size) {}

  private Tars() {}

  static List<Entry> list(Path tar) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tar))) {
      return list(in);
    }
  }

  static List<Entry> list(InputStream in) throws IOException {
    List<Entry> out = new ArrayList<>();
    TarArchiveInputStream t = new TarArchiveInputStream(in);
    for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
      out.add(new Entry(stripSlash(e.getName()), e.isDirectory(), e.getMode(), e.getSize()));
    }
    return out;
  }

  /** Byte offset of an entry's header (plain ustar entries: a 512-byte header, data padded to 512). */
  static long offsetOf(Path tar, String name) throws IOException {
    long offset = 0;
    for (Entry e : list(tar)) {
      if (e.name().equals(name)) return offset;
      offset += BLOCK + (e.size() + BLOCK - 1) / BLOCK * BLOCK;
    }
    throw new IllegalArgumentException(name + " is not in " + tar);
  }

  /** Extracts into {@code dir} with the entries' modes; a tar that simply stops is read up to there. */
  static void extract(Path tar, Path dir) throws IOException {
    try (TarArchiveInputStream t = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar)))) {
      for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
        Path p = dir.resolve(stripSlash(e.getName()));
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else {
          Files.createDirectories(p.getParent());
          Files.copy(t, p);
        }
        Files.setPosixFilePermissions(p, permissions(e.getMode()));
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values();   // OWNER_READ .. OTHERS_EXECUTE, high bit first
    for (int i = 0; i < 9; i++) if ((mode & (1 << (8 - i))) != 0) s.add(bits[i]);
    return s;
  }

  private static String stripSlash(String name) {
    return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
  }
}
