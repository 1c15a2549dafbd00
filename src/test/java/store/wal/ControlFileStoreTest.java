package store.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import store.DurableFile;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

class ControlFileStoreTest {
  private static final String T = "0123456789abcdef0123456789abcdef";
  private static final String TL = "fedcba9876543210fedcba9876543210";
  @TempDir Path dir;

  private static AcceptorState sample() {
    return AcceptorState.created(T, TL, 150018, 7_300_000_000_000_000_123L, 16 << 20, Lsn.parse("0/1000028"), 1_700_000_000_000L)
        .withTerm(5)
        .elected(TermHistory.EMPTY.plus(3, Lsn.parse("0/1000028")).plus(5, Lsn.parse("0/2000000")), Lsn.parse("0/2000000"));
  }

  @Test
  void roundTripsEveryField() throws IOException {
    AcceptorState s = sample().withHorizons(Lsn.parse("0/2000100"), Lsn.parse("0/1000028"), Lsn.parse("0/1500000"), Lsn.parse("0/1800000"));
    ControlFileStore.persist(dir, s);
    assertEquals(s, ControlFileStore.load(dir));
  }

  @Test
  void aTruncatedFileIsRefusedNamingIt() throws IOException {
    ControlFileStore.persist(dir, sample());
    Path f = dir.resolve(ControlFileStore.FILE_NAME);
    try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(f) / 2);
    }
    var e = assertThrows(DurableFile.CorruptFile.class, () -> ControlFileStore.load(dir));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void aCrashBetweenTempWriteAndRenameKeepsTheGrantedTerm() throws IOException {
    ControlFileStore.persist(dir, sample());
    Files.write(dir.resolve(ControlFileStore.FILE_NAME + ".tmp"), new byte[] {9, 9, 9});
    assertEquals(5, ControlFileStore.load(dir).term());
  }
}
