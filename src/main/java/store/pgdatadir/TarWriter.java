package store.pgdatadir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A tar stream of a data directory: directories 0700 and files 0600 (what PostgreSQL creates and
 * what pg_basebackup writes), all with one modification time. Files of known size are streamed.
 */
final class TarWriter {
  static final int DIR_MODE = 0700;
  static final int FILE_MODE = 0600;

  private final TarArchiveOutputStream tar;
  private final FileTime mtime;
  private final byte[] scratch = new byte[8192];
  private long open = -1;

  TarWriter(OutputStream out, FileTime mtime) {
    this.tar = new TarArchiveOutputStream(out);
    this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    this.tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    this.mtime = mtime;
  }

  void directory(String path) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(path + "/", TarConstants.LF_DIR);
    e.setMode(DIR_MODE);
    e.setModTime(mtime);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  void file(String path, byte[] content) throws IOException {
    begin(path, content.length);
    write(content);
    end();
  }

  /** Starts a file of exactly {@code size} bytes; {@link #write} them, then {@link #end}. */
  void begin(String path, long size) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_NORMAL);
    e.setMode(FILE_MODE);
    e.setModTime(mtime);
    e.setSize(size);
    tar.putArchiveEntry(e);
    open = size;
  }

  void write(byte[] bytes) throws IOException {
    write(bytes, bytes.length);
  }

  /** The first {@code length} bytes of {@code bytes}. */
  void write(byte[] bytes, int length) throws IOException {
    if (length > open) throw new IllegalStateException("tar entry overrun by " + (length - open) + " bytes");
    tar.write(bytes, 0, length);
    open -= length;
  }

  /** The remaining bytes of {@code bytes}, through a reused buffer when they are not on the heap. */
  void write(ByteBuffer bytes) throws IOException {
    int length = bytes.remaining();
    if (length > open) throw new IllegalStateException("tar entry overrun by " + (length - open) + " bytes");
    if (bytes.hasArray()) {
      tar.write(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
    } else {
      ByteBuffer b = bytes.duplicate();
      while (b.hasRemaining()) {
        int n = Math.min(b.remaining(), scratch.length);
        b.get(scratch, 0, n);
        tar.write(scratch, 0, n);
      }
    }
    open -= length;
  }

  void end() throws IOException {
    if (open != 0) throw new IllegalStateException("tar entry short by " + open + " bytes");
    tar.closeArchiveEntry();
    open = -1;
  }

  /** Writes the end-of-archive blocks and flushes; the underlying stream stays open. */
  void finish() throws IOException {
    tar.finish();
    tar.flush();
  }
}
