package store.pgdatadir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A tar stream of a data directory: directories 0700 and files 0600 (what PostgreSQL creates and
 * what pg_basebackup writes), all with one modification time. commons-compress formats each ustar
 * header; the data goes to {@code out} as given, with no block buffer in between (its
 * TarArchiveOutputStream copies every byte through one), so {@code out} should buffer. Names of
 * 100 bytes or more are refused, as PostgreSQL's own tar code does.
 */
final class TarWriter {
  static final int DIR_MODE = 0700;
  static final int FILE_MODE = 0600;
  private static final int BLOCK = TarConstants.DEFAULT_RCDSIZE;
  private static final byte[] ZEROS = new byte[2 * BLOCK];

  private final OutputStream out;
  private final FileTime mtime;
  private final byte[] header = new byte[BLOCK];
  private final byte[] scratch = new byte[8192];
  private long size = -1;
  private long open = -1;

  TarWriter(OutputStream out, FileTime mtime) {
    this.out = out;
    this.mtime = mtime;
  }

  void directory(String path) throws IOException {
    writeHeader(path + "/", DIR_MODE, 0);
  }

  void file(String path, byte[] content) throws IOException {
    begin(path, content.length);
    write(content);
    end();
  }

  /** Starts a file of exactly {@code size} bytes; {@link #write} them, then {@link #end}. */
  void begin(String path, long size) throws IOException {
    if (open >= 0) throw new IllegalStateException("tar entry " + path + " begun inside another");
    writeHeader(path, FILE_MODE, size);
    this.size = size;
    open = size;
  }

  /** A name ending in '/' is a directory. */
  private void writeHeader(String name, int mode, long size) throws IOException {
    if (name.getBytes(StandardCharsets.UTF_8).length >= TarConstants.NAMELEN) {
      throw new IOException("tar entry name " + name + " is too long for a ustar header (" + TarConstants.NAMELEN + " bytes or more)");
    }
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(mode);
    entry.setSize(size);
    entry.setModTime(mtime);
    entry.writeEntryHeader(header);
    out.write(header);
  }

  void write(byte[] bytes) throws IOException {
    write(bytes, bytes.length);
  }

  /** The first {@code length} bytes of {@code bytes}. */
  void write(byte[] bytes, int length) throws IOException {
    if (length > open) throw new IllegalStateException("tar entry overrun by " + (length - open) + " bytes");
    out.write(bytes, 0, length);
    open -= length;
  }

  /** The remaining bytes of {@code bytes}, through a reused buffer when they are not on the heap. */
  void write(ByteBuffer bytes) throws IOException {
    int length = bytes.remaining();
    if (length > open) throw new IllegalStateException("tar entry overrun by " + (length - open) + " bytes");
    if (bytes.hasArray()) {
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
    } else {
      ByteBuffer b = bytes.duplicate();
      while (b.hasRemaining()) {
        int n = Math.min(b.remaining(), scratch.length);
        b.get(scratch, 0, n);
        out.write(scratch, 0, n);
      }
    }
    open -= length;
  }

  void end() throws IOException {
    if (open != 0) throw new IllegalStateException("tar entry short by " + open + " bytes");
    out.write(ZEROS, 0, (int) ((BLOCK - size % BLOCK) % BLOCK));
    open = -1;
  }

  /** Writes the end-of-archive blocks and flushes; the underlying stream stays open. */
  void finish() throws IOException {
    if (open >= 0) throw new IllegalStateException("tar finished inside an entry");
    out.write(ZEROS);
    out.flush();
  }
}
