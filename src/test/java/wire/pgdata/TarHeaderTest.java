package wire.pgdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Headers read back by commons-compress and by GNU tar, and the names that do not fit. */
class TarHeaderTest {
  private static final long MTIME = 1_790_000_000L;
  private static final String LONG = "base/16384/" + "d".repeat(60) + "/" + "f".repeat(90);

  private static byte[] archive() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] h = new byte[TarHeader.BLOCK];
    TarHeader.encode(h, "base/", TarHeader.TYPE_DIRECTORY, 0700, 0, MTIME);
    out.write(h);
    byte[] data = "hello tar".getBytes();
    for (String name : List.of("base/1_fsm", LONG)) {
      TarHeader.encode(h, name, TarHeader.TYPE_FILE, 0600, data.length, MTIME);
      out.write(h);
      out.write(data);
      out.write(new byte[TarHeader.padding(data.length)]);
    }
    out.write(new byte[2 * TarHeader.BLOCK]);
    return out.toByteArray();
  }

  @Test
  void commonsCompressReadsNamesModesSizesTimesAndData() throws Exception {
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive()))) {
      TarArchiveEntry dir = in.getNextEntry();
      assertEquals("base/", dir.getName());
      assertTrue(dir.isDirectory());
      assertEquals(0700, dir.getMode() & 07777);
      for (String name : List.of("base/1_fsm", LONG)) {
        TarArchiveEntry f = in.getNextEntry();
        assertEquals(name, f.getName());
        assertTrue(f.isFile());
        assertEquals(0600, f.getMode() & 07777);
        assertEquals(9, f.getSize());
        assertEquals(MTIME, f.getLastModifiedTime().toMillis() / 1000);
        assertArrayEquals("hello tar".getBytes(), in.readAllBytes());
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
    assertTrue(out.contains("drwx------") && out.contains("-rw-------") && out.contains(LONG), out);
  }

  @Test
  void aNameThatCannotBeSplitOrASizeTooLargeIsRefused() {
    byte[] h = new byte[TarHeader.BLOCK];
    assertThrows(IllegalArgumentException.class, () -> TarHeader.encode(h, "x".repeat(101), TarHeader.TYPE_FILE, 0600, 0, MTIME));
    assertThrows(IllegalArgumentException.class, () -> TarHeader.encode(h, "f", TarHeader.TYPE_FILE, 0600, TarHeader.MAX_SIZE + 1, MTIME));
  }
}
