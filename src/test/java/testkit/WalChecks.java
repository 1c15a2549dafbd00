package testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import store.wal.WalSegments;
import wire.WireFormatException;
import wire.xlog.Lsn;
import wire.xlog.RmgrId;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.XactRecord;

/** What tests check in WAL stored by safekeepers: commit records, and whether pg_waldump reads it. */
public final class WalChecks {
  private WalChecks() {}

  /**
   * The xids (unsigned 32-bit) of every commit record a safekeeper stores in [start, end), read
   * from its segment files; {@code start} is a record boundary. Every record there must decode.
   */
  public static Set<Long> committedXids(Path timelineDir, Lsn start, Lsn end) {
    WalDecoder decoder = WalDecoder.startingAt(start, Lsn.DEFAULT_SEGMENT_SIZE);
    Set<Long> xids = new HashSet<>();
    try {
      while (decoder.fedUpTo().isBefore(end)) {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(1 << 20, end.minus(decoder.fedUpTo())));
        if (WalSegments.read(timelineDir, Lsn.DEFAULT_SEGMENT_SIZE, decoder.fedUpTo(), chunk) <= 0) {
          throw new AssertionError(timelineDir + " has no WAL at " + decoder.fedUpTo() + ", below " + end);
        }
        decoder.feed(chunk.flip());
        for (WalRecord r; (r = decoder.next()) != null; ) {
          if (r.rmgr() != RmgrId.XACT) continue;
          if (XactRecord.parse(r.rmgrInfo(), r.mainData()) instanceof XactRecord.Completion c && c.kind() == XactRecord.Kind.COMMIT) {
            xids.add(Integer.toUnsignedLong(r.xid()));
          }
        }
      }
    } catch (WalFormatException | WireFormatException e) {
      throw new AssertionError("WAL in " + timelineDir + " from " + start + " does not decode: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return xids;
  }

  /**
   * Copies a safekeeper's segment files into {@code into}, {@code .partial} ones under their plain
   * names, as pg_waldump wants them.
   */
  public static void copySegments(Path timelineDir, Path into) {
    try (var files = Files.list(timelineDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        String plain = name.endsWith(".partial") ? name.substring(0, name.length() - ".partial".length()) : name;
        if (plain.length() == 24 && plain.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
          Files.copy(p, into.resolve(plain));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public record Dump(int exitCode, String output) {}

  /** {@code pg_waldump -p DIR -s START -e END}: its exit code and output. */
  public static Dump waldump(Path dir, Lsn start, Lsn end) {
    try {
      Process p = new ProcessBuilder(PostgresFixture.bin("pg_waldump"), "-p", dir.toString(), "-s", start.toString(),
          "-e", end.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("pg_waldump did not exit within 60 s");
      }
      return new Dump(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
