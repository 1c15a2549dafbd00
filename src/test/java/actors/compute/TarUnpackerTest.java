package actors.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testkit.OsUser;

class TarUnpackerTest {
  @TempDir Path dir;

  @Test
  void filesAndDirectoriesLandWithPostgresModes() throws IOException {
    byte[] tar = tar(t -> {
      dir(t, "global/");
      file(t, "global/pg_control", "control".getBytes(StandardCharsets.UTF_8), 0644);
      file(t, "base/1/1259", new byte[20000], 0755);   // a parent the tar does not list
    });
    long read = TarUnpacker.unpack(new ByteArrayInputStream(tar), dir);
    assertEquals(tar.length, read);
    assertArrayEquals("control".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("global/pg_control")));
    assertEquals(20000, Files.size(dir.resolve("base/1/1259")));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("base/1/1259"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("global"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("base/1"))));
  }

  @Test
  void aFileLargerThanTheCopyBufferArrivesWhole() throws IOException {
    byte[] big = new byte[(3 << 20) + 8192 + 17];   // several copy buffers and a ragged tail
    new java.util.Random(6).nextBytes(big);
    byte[] tar = tar(t -> {
      file(t, "base/5/16384", big, 0600);
      file(t, "base/5/16385", new byte[0], 0600);
    });
    assertEquals(tar.length, TarUnpacker.unpack(new ByteArrayInputStream(tar), dir));
    assertArrayEquals(big, Files.readAllBytes(dir.resolve("base/5/16384")));
    assertEquals(0, Files.size(dir.resolve("base/5/16385")));
  }

  @Test
  void everythingMadeIsGivenToTheOwnerAsItIsMade() throws IOException {
    assumeTrue(OsUser.isRoot(), "giving files away needs root");
    UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OsUser.name());
    byte[] tar = tar(t -> {
      dir(t, "global/");
      file(t, "global/pg_control", new byte[8192], 0600);
      file(t, "base/1/1259", new byte[100], 0600);   // parents made on the way
    });
    TarUnpacker.unpack(new ByteArrayInputStream(tar), dir, owner);
    for (String p : new String[] {"global", "global/pg_control", "base", "base/1", "base/1/1259"}) {
      assertEquals(owner, Files.getOwner(dir.resolve(p)), p);
    }
  }

  @Test
  void anEntryOutsideTheDirectoryIsRefused() throws IOException {
    byte[] tar = tar(t -> file(t, "../escape", new byte[1], 0600));
    IOException e = assertThrows(IOException.class, () -> TarUnpacker.unpack(new ByteArrayInputStream(tar), dir.resolve("inner")));
    assertTrue(e.getMessage().contains("'../escape'"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("escape")));
  }

  @Test
  void aSymlinkIsRefusedByName() throws IOException {
    byte[] tar = tar(t -> {
      TarArchiveEntry link = new TarArchiveEntry("pg_tblspc/16400", TarArchiveEntry.LF_SYMLINK);
      link.setLinkName("/elsewhere");
      t.putArchiveEntry(link);
      t.closeArchiveEntry();
    });
    IOException e = assertThrows(IOException.class, () -> TarUnpacker.unpack(new ByteArrayInputStream(tar), dir));
    assertTrue(e.getMessage().contains("pg_tblspc/16400") && e.getMessage().contains("tablespaces"), e.getMessage());
  }

  @Test
  void anErrorAfterTheEndOfTheArchiveIsNotMissed() throws IOException {
    byte[] tar = tar(t -> file(t, "PG_VERSION", "15\n".getBytes(StandardCharsets.UTF_8), 0600));
    InputStream failingTail = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("pageserver failed: lsn below gc cutoff");
      }
    };
    IOException e = assertThrows(IOException.class,
        () -> TarUnpacker.unpack(new SequenceInputStream(new ByteArrayInputStream(tar), failingTail), dir));
    assertTrue(e.getMessage().contains("gc cutoff"), e.getMessage());
  }

  interface Writer {
    void write(TarArchiveOutputStream t) throws IOException;
  }

  static byte[] tar(Writer w) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      w.write(t);
    }
    return out.toByteArray();
  }

  static void dir(TarArchiveOutputStream t, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  static void file(TarArchiveOutputStream t, String name, byte[] data, int mode) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    e.setMode(mode);
    t.putArchiveEntry(e);
    t.write(data);
    t.closeArchiveEntry();
  }
}
