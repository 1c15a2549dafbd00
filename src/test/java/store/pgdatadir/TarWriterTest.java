package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The basebackup's tar read back by commons-compress and by GNU tar, and what does not fit. */
class TarWriterTest {
  private static final long MTIME = 1_790_000_000L;
  private static final byte[] DATA = "hello tar".getBytes();
  private static final String DEEP = "base/16384/" + "d".repeat(40) + "/" + "f".repeat(40);

  private static byte[] archive() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(out, FileTime.fromMillis(MTIME * 1000));
    tar.directory("base");
    tar.file("base/1_fsm", DATA);
    tar.begin(DEEP, DATA.length);
    tar.write(ByteBuffer.allocateDirect(DATA.length).put(DATA).flip());
    tar.end();
    tar.finish();
    return out.toByteArray();
  }

  @Test
  void commonsCompressReadsNamesModesSizesTimesAndData() throws Exception {
    byte[] bytes = archive();
    assertEquals(0, bytes.length % 512, "whole blocks");
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes))) {
      TarArchiveEntry dir = in.getNextEntry();
      assertEquals("base/", dir.getName());
      assertTrue(dir.isDirectory());
      assertEquals(0700, dir.getMode() & 07777);
      for (String name : List.of("base/1_fsm", DEEP)) {
        TarArchiveEntry f = in.getNextEntry();
        assertEquals(name, f.getName());
        assertTrue(f.isFile());
        assertEquals(0600, f.getMode() & 07777);
        assertEquals(DATA.length, f.getSize());
        assertEquals(MTIME, f.getLastModifiedTime().toMillis() / 1000);
        assertArrayEquals(DATA, in.readAllBytes());
      }
      assertNull(in.getNextEntry());
    }
  }

  @Test
  void gnuTarListsTheArchiveWithValidChecksums(@TempDir Path dir) throws Exception {
    Path tar = dir.resolve("t.tar");
    Files.write(tar, archive());
    Process p = new ProcessBuilder("tar", "-tvf", tar.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("drwx------") && out.contains("-rw-------") && out.contains(DEEP), out);
  }

  @Test
  void aLongNameAnOverrunAndAShortEntryAreRefused() throws IOException {
    TarWriter tar = new TarWriter(new ByteArrayOutputStream(), FileTime.fromMillis(0));
    IOException longName = assertThrows(IOException.class, () -> tar.file("x".repeat(100), DATA));
    assertTrue(longName.getMessage().contains("too long"), longName.getMessage());
    tar.begin("f", 4);
    assertThrows(IllegalStateException.class, () -> tar.write(DATA));
    assertThrows(IllegalStateException.class, tar::end);
  }
}
