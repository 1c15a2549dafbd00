package store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Small durable files (control files, metadata): {@code magic u32 | version u32 | length u32 | body
 * | crc32c u32}, big-endian, the CRC covering everything before it. Replaced atomically: write
 * {@code NAME.tmp}, fsync it, rename over NAME, fsync the directory. A crash at any moment leaves
 * either the old or the new content under NAME; a leftover .tmp is ignored and overwritten.
 */
public final class DurableFile {
  private static final int HEADER = 12;
  private static final int MAX_BODY = 64 * 1024 * 1024;

  private DurableFile() {}

  /** A durable file that cannot be used: missing pieces, a bad checksum, another format. */
  public static final class CorruptFile extends IOException {
    public CorruptFile(Path file, String problem) {
      super("corrupt file " + file + ": " + problem);
    }
  }

  /** Writes {@code body} under {@code file} atomically and durably. */
  public static void write(Path file, int magic, int version, byte[] body) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(HEADER + body.length + 4).order(ByteOrder.BIG_ENDIAN);
    out.putInt(magic).putInt(version).putInt(body.length).put(body);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    out.flip();

    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (out.hasRemaining()) ch.write(out);
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(file.toAbsolutePath().getParent());
  }

  /**
   * Reads and verifies a file written by {@link #write}. Returns the body; a wrong magic, an
   * unsupported version, a short file or a bad CRC is a {@link CorruptFile} naming the problem.
   */
  public static byte[] read(Path file, int magic, int version) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw e;
    }
    if (all.length < HEADER + 4) throw new CorruptFile(file, "only " + all.length + " bytes, shorter than a header");
    ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
    int gotMagic = in.getInt();
    if (gotMagic != magic) {
      throw new CorruptFile(file, String.format("magic 0x%08X, expected 0x%08X", gotMagic, magic));
    }
    int gotVersion = in.getInt();
    int length = in.getInt();
    if (length < 0 || length > MAX_BODY || HEADER + length + 4 != all.length) {
      throw new CorruptFile(file, "body length " + length + " does not match file size " + all.length);
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, HEADER + length);
    int stored = ByteBuffer.wrap(all, HEADER + length, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    if (stored != (int) crc.getValue()) {
      throw new CorruptFile(file, String.format("CRC-32C 0x%08X does not match stored 0x%08X", (int) crc.getValue(), stored));
    }
    if (gotVersion != version) {
      throw new CorruptFile(file, "format version " + gotVersion + ", this build reads version " + version);
    }
    byte[] body = new byte[length];
    System.arraycopy(all, HEADER, body, 0, length);
    return body;
  }

  /** fsync of a directory, so that a rename or a new file in it survives a crash. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
