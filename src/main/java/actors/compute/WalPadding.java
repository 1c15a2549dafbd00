package actors.compute;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import wire.WireFormatException;
import wire.pgdata.ControlFile;

/**
 * Pads the WAL segments of an unpacked basebackup asked for with {@code --no-wal-padding} back to
 * the segment size pg_control names, with written zeros: what the pageserver would have sent and
 * what PostgreSQL's own {@code wal_init_zero} leaves, so its WAL writes never extend a sparse file.
 */
final class WalPadding {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

  private WalPadding() {}

  /** Returns the bytes of zeros added. */
  static long pad(Path pgdata) throws IOException {
    int segmentSize;
    try {
      segmentSize = ControlFile.decode(Files.readAllBytes(pgdata.resolve("global/pg_control"))).build().xlogSegSize();
    } catch (WireFormatException e) {
      throw new IOException("the basebackup's global/pg_control is unreadable: " + e.getMessage(), e);
    }
    long added = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(pgdata.resolve("pg_wal"), "[0-9A-F]*")) {
      for (Path f : files) {
        if (f.getFileName().toString().length() != 24 || !Files.isRegularFile(f)) continue;
        added += padOne(f, segmentSize);
      }
    }
    return added;
  }

  private static long padOne(Path segment, int segmentSize) throws IOException {
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      long at = ch.size();
      if (at > segmentSize) throw new IOException("WAL segment " + segment + " has " + at + " bytes, more than the segment size " + segmentSize);
      long start = at;
      while (at < segmentSize) {
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) Math.min(z.capacity(), segmentSize - at));
        at += ch.write(z, at);
      }
      return at - start;
    }
  }
}
