package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.TempDirs;

/** {@code strata waldump} on initdb's WAL: output, the clean end, usage errors and bad data. */
@ExtendWith(ProcessLogs.class)
class WaldumpCommandTest {
  private static final String SEGMENT = "000000010000000000000001";
  private static Path dir;

  private record Run(int exit, List<String> out, String err) {}

  @BeforeAll
  static void copyInitdbWal() throws Exception {
    dir = Files.createTempDirectory("strata-waldump-");
    try (PostgresFixture pg = PostgresFixture.builder().initOnly().start()) {
      Files.copy(pg.dataDir().resolve("pg_wal").resolve(SEGMENT), dir.resolve(SEGMENT));
    }
    Files.writeString(dir.resolve("README"), "not WAL");
  }

  @AfterAll
  static void remove() {
    TempDirs.delete(dir);
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8).lines().toList(), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void printsEveryRecordAndStopsCleanlyAtTheZeroedTail() {
    Run r = run("waldump", dir.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().size() > 10_000, r.out().size() + " lines");
    assertEquals("lsn=0/1000028 end=0/10000A0 prev=0/0 rmgr=XLOG info=0x00 xid=0 len=114/114 blks=-", r.out().get(0));
    assertTrue(r.out().get(r.out().size() - 1).contains(" rmgr=XLOG info=0x00 "), "initdb ends with a shutdown checkpoint");
  }

  @Test
  void startAndEndSelectARange() {
    List<String> all = run("waldump", dir.resolve(SEGMENT).toString()).out();
    String from = field(all.get(100), "lsn");
    String to = field(all.get(200), "lsn");
    Run r = run("waldump", "--start", from, "--end", to, dir.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(all.subList(100, 200), r.out());
  }

  @Test
  void damagedWalExitsOneWithTheLsnOfTheProblem() throws Exception {
    Path bad = Files.createDirectory(dir.resolve("bad"));
    byte[] segment = Files.readAllBytes(dir.resolve(SEGMENT));
    segment[0x1000 + 100] ^= 0x10;
    Files.write(bad.resolve(SEGMENT + ".partial"), segment);
    Run r = run("waldump", bad.toString());
    assertEquals(1, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().matches("strata: bad WAL: bad crc at 0/10010[0-9A-F]{2}: .*\\R"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("waldump", "--start", "nope", dir.toString()).exit());
    assertEquals(2, run("waldump", dir.resolve("missing").toString()).exit());
    assertEquals(2, run("waldump", dir.resolve("README").toString()).exit());
    assertEquals(2, run("waldump").exit());
  }

  private static String field(String line, String name) {
    for (String f : line.split(" ")) {
      if (f.startsWith(name + "=")) return f.substring(name.length() + 1);
    }
    throw new IllegalArgumentException(name + " not in " + line);
  }
}
