package wire.xlog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import testkit.PostgresFixture;

/**
 * Runs PostgreSQL's pg_waldump and parses its default one-line-per-record output. It runs with
 * TZ=UTC, so that the times in descriptions do not depend on the machine.
 */
public final class PgWaldump {
  /**
   * One record as pg_waldump prints it; blocks use strata's SPC/DB/REL.FORK.BLK[+fpi] form, and
   * desc is what the rmgr's desc function printed after the type (trimmed).
   */
  public record Line(String rmgr, int recLength, int totLength, long xid, Lsn lsn, Lsn prev, String type, String desc,
      List<String> blocks, int verificationImages) {}

  private static final Pattern RECORD = Pattern.compile(
      "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s+(\\d+)/\\s*(\\d+), tx:\\s+(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), "
          + "prev ([0-9A-F]+/[0-9A-F]+), desc: (\\S*)(.*)$");
  private static final Pattern BLOCK = Pattern.compile(
      "blkref #\\d+: rel (\\d+)/(\\d+)/(\\d+)(?: fork (\\w+))? blk (\\d+)( FPW for WAL verification| FPW)?");

  private PgWaldump() {}

  public static List<Line> run(Path walDir, Lsn start, Lsn end) throws IOException, InterruptedException {
    Path out = Files.createTempFile("pg_waldump-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(PostgresFixture.bin("pg_waldump"), "-p", walDir.toString(),
          "-s", start.toString(), "-e", end.toString())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().put("TZ", "UTC");
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("pg_waldump timed out");
      }
      List<String> lines = Files.readAllLines(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("pg_waldump exit " + p.exitValue() + ": " + lines.subList(Math.max(0, lines.size() - 3), lines.size()));
      }
      List<Line> parsed = new ArrayList<>(lines.size());
      for (String l : lines) parsed.add(parse(l));
      return parsed;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static Line parse(String line) {
    Matcher m = RECORD.matcher(line);
    if (!m.matches()) throw new IllegalArgumentException("unexpected pg_waldump line: " + line);
    String rest = m.group(8);
    int firstBlock = rest.indexOf(", blkref #");
    String desc = (firstBlock >= 0 ? rest.substring(0, firstBlock) : rest).strip();
    List<String> blocks = new ArrayList<>();
    int verification = 0;
    Matcher b = BLOCK.matcher(m.group(8));
    while (b.find()) {
      String fork = b.group(4) != null ? b.group(4) : "main";
      boolean fpw = b.group(6) != null;
      if (fpw && b.group(6).contains("verification")) verification++;
      blocks.add(b.group(1) + "/" + b.group(2) + "/" + b.group(3) + "." + fork + "." + b.group(5) + (fpw ? "+fpi" : ""));
    }
    return new Line(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)),
        Lsn.parse(m.group(5)), Lsn.parse(m.group(6)), m.group(7), desc, blocks, verification);
  }
}
