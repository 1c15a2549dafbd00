package actors.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testkit.PostgresFixture;
import wire.pgdata.ControlFile;

class WalPaddingTest {
  private static final int SEGMENT = 16 << 20;
  /** A pg_control written by initdb (16 MiB segments). */
  private static byte[] control;
  @TempDir Path pgdata;

  @BeforeAll
  static void initdb() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().start()) {
      pg.stop("fast");
      control = Files.readAllBytes(pg.dataDir().resolve("global/pg_control"));
    }
    assertEquals(SEGMENT, ControlFile.decode(control).build().xlogSegSize());
  }

  @Test
  void aShortSegmentIsPaddedWithZerosToThePgControlSegmentSize() throws IOException {
    writeControl();
    byte[] head = new byte[3 * 8192];
    Arrays.fill(head, (byte) 7);
    Path seg = pgdata.resolve("pg_wal/000000010000000000000002");
    Files.write(seg, head);
    Files.write(pgdata.resolve("pg_wal/000000010000000000000002.partial.not-a-segment"), new byte[1]);

    assertEquals(SEGMENT - head.length, WalPadding.pad(pgdata));
    byte[] padded = Files.readAllBytes(seg);
    assertEquals(SEGMENT, padded.length);
    assertArrayEquals(head, Arrays.copyOf(padded, head.length));
    assertEquals(0, countNonZero(padded, head.length), "the tail is zeros");
    assertEquals(1, Files.size(pgdata.resolve("pg_wal/000000010000000000000002.partial.not-a-segment")), "only segment names are padded");
    assertEquals(0, WalPadding.pad(pgdata), "a full segment is left as it is");
  }

  @Test
  void aSegmentLargerThanTheSegmentSizeIsRefusedByName() throws IOException {
    writeControl();
    Files.write(pgdata.resolve("pg_wal/000000010000000000000003"), new byte[SEGMENT + 1]);
    IOException e = assertThrows(IOException.class, () -> WalPadding.pad(pgdata));
    assertTrue(e.getMessage().contains("000000010000000000000003"), e.getMessage());
  }

  private static int countNonZero(byte[] b, int from) {
    int n = 0;
    for (int i = from; i < b.length; i++) if (b[i] != 0) n++;
    return n;
  }

  private void writeControl() throws IOException {
    Files.createDirectories(pgdata.resolve("global"));
    Files.createDirectories(pgdata.resolve("pg_wal"));
    Files.write(pgdata.resolve("global/pg_control"), control);
  }
}
