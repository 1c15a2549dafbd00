package store.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import store.DurableFile;
import wire.xlog.Lsn;

/**
 * A timeline's WAL as PostgreSQL segment files in one directory. The segment being written is
 * {@code NAME.partial}; a completed one has PostgreSQL's plain name, so {@code pg_waldump} and
 * {@code pg_receivewal} conventions hold. New segments are pre-allocated with zeros and renamed into
 * place durably, so an fdatasync never has to change a file's size. Positions (what is written,
 * what is flushed) belong to the caller; this class only moves bytes.
 */
public final class WalSegments implements Closeable {
  private static final String PARTIAL = ".partial";
  private static final int TIMELINE = 1;
  /** Direct, so zero-filling a segment writes without a copy into a temporary direct buffer. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);

  private final Path dir;
  private final long segmentSize;
  private long openSegment = -1;
  private FileChannel open;
  private boolean dirty;
  /** The open segment was created (zero-filled, durable) by this object and nothing is written in it yet. */
  private boolean openIsFresh;

  public WalSegments(Path dir, long segmentSize) throws IOException {
    if (Long.bitCount(segmentSize) != 1 || segmentSize < (1 << 20) || segmentSize > (1L << 30)) {
      throw new IllegalArgumentException("WAL segment size " + segmentSize + " is not a power of two between 1 MiB and 1 GiB");
    }
    this.dir = dir;
    this.segmentSize = segmentSize;
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("waltmp"));
  }

  public long segmentSize() {
    return segmentSize;
  }

  public Path dir() {
    return dir;
  }

  public String fileName(long segNo) {
    return Lsn.segmentFileName(TIMELINE, segNo, segmentSize);
  }

  /**
   * Writes {@code data} starting at {@code start}, splitting at segment boundaries. A segment
   * filled to its end is synced and renamed to its final name.
   */
  public void write(Lsn start, ByteBuffer data) throws IOException {
    long pos = start.value();
    while (data.hasRemaining()) {
      long segNo = Long.divideUnsigned(pos, segmentSize);
      long offset = Long.remainderUnsigned(pos, segmentSize);
      int n = (int) Math.min(data.remaining(), segmentSize - offset);
      FileChannel ch = openForWrite(segNo);
      ByteBuffer chunk = data.slice().limit(n);
      long at = offset;
      while (chunk.hasRemaining()) at += ch.write(chunk, at);
      data.position(data.position() + n);
      dirty = true;
      openIsFresh = false;
      pos += n;
      if (offset + n == segmentSize) completeOpenSegment();
    }
  }

  /** fdatasync of the segment being written; after it, every byte written so far is durable. */
  public void flush() throws IOException {
    if (open != null && dirty) {
      open.force(false);
      dirty = false;
    }
  }

  /**
   * Cuts the WAL at {@code end}: later segments are deleted, the rest of end's segment is zeroed and
   * it becomes {@code .partial} again. Everything is durable when this returns.
   */
  public void truncate(Lsn end) throws IOException {
    flush();
    closeOpen();
    long keepSeg = end.segmentNumber(segmentSize);
    for (long segNo : segmentNumbers()) {
      if (Long.compareUnsigned(segNo, keepSeg) > 0) {
        Files.deleteIfExists(dir.resolve(fileName(segNo) + PARTIAL));
        Files.deleteIfExists(dir.resolve(fileName(segNo)));
      }
    }
    Path complete = dir.resolve(fileName(keepSeg));
    Path partial = dir.resolve(fileName(keepSeg) + PARTIAL);
    if (Files.exists(complete)) {
      Files.move(complete, partial, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    FileChannel ch = openForWrite(keepSeg);
    if (openIsFresh) return;   // just created zero-filled and durable: nothing to cut
    long offset = end.segmentOffset(segmentSize);
    zeroFill(ch, offset, segmentSize);
    ch.force(false);
    DurableFile.fsyncDirectory(dir);
  }

  /**
   * Reads WAL at {@code start} into {@code dst}, never past the end of start's segment. Returns the
   * number of bytes read, or -1 when no file holds that segment.
   */
  public int read(Lsn start, ByteBuffer dst) throws IOException {
    return read(dir, segmentSize, start, dst);
  }

  /** The same read for other owners (WAL senders): it touches nothing the writer owns. */
  public static int read(Path dir, long segmentSize, Lsn start, ByteBuffer dst) throws IOException {
    long segNo = start.segmentNumber(segmentSize);
    long offset = start.segmentOffset(segmentSize);
    int want = (int) Math.min(dst.remaining(), segmentSize - offset);
    Path file = existing(dir, segmentSize, segNo);
    if (file == null) return -1;
    ByteBuffer window = dst.slice().limit(want);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long at = offset;
      while (window.hasRemaining()) {
        int r = ch.read(window, at);
        if (r < 0) break;
        at += r;
      }
    } catch (java.nio.file.NoSuchFileException renamedMeanwhile) {
      return read(dir, segmentSize, start, dst);   // .partial became complete between the lookup and the open
    }
    int got = window.position();
    dst.position(dst.position() + got);
    return got;
  }

  /** The file holding a segment: {@code .partial} first, as it is the newer one after a crash. */
  public Path existing(long segNo) {
    return existing(dir, segmentSize, segNo);
  }

  private static Path existing(Path dir, long segmentSize, long segNo) {
    String name = Lsn.segmentFileName(TIMELINE, segNo, segmentSize);
    Path partial = dir.resolve(name + PARTIAL);
    if (Files.exists(partial)) return partial;
    Path complete = dir.resolve(name);
    return Files.exists(complete) ? complete : null;
  }

  /** Segment numbers present on disk, ascending (each once, whatever its suffix). */
  public List<Long> segmentNumbers() throws IOException {
    List<Long> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (!isSegmentName(name)) continue;
        long segNo = Lsn.segmentNumberOf(name, segmentSize);
        if (!out.contains(segNo)) out.add(segNo);
      }
    }
    out.sort(Long::compareUnsigned);
    return out;
  }

  public OptionalLong firstSegment() throws IOException {
    List<Long> all = segmentNumbers();
    return all.isEmpty() ? OptionalLong.empty() : OptionalLong.of(all.get(0));
  }

  /** Deletes every segment below {@code segNo}; returns how many files went. */
  public int removeBelow(long segNo) throws IOException {
    int removed = 0;
    for (long s : segmentNumbers()) {
      if (Long.compareUnsigned(s, segNo) >= 0) break;
      if (s == openSegment) continue;
      removed += Files.deleteIfExists(dir.resolve(fileName(s))) ? 1 : 0;
      removed += Files.deleteIfExists(dir.resolve(fileName(s) + PARTIAL)) ? 1 : 0;
    }
    return removed;
  }

  static boolean isSegmentName(String name) {
    String base = name.endsWith(PARTIAL) ? name.substring(0, name.length() - PARTIAL.length()) : name;
    return base.length() == 24 && base.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  }

  private FileChannel openForWrite(long segNo) throws IOException {
    if (open != null && openSegment == segNo) return open;
    flush();
    closeOpen();
    Path complete = dir.resolve(fileName(segNo));
    Path partial = dir.resolve(fileName(segNo) + PARTIAL);
    boolean fresh = !Files.exists(complete) && !Files.exists(partial);
    Path file = fresh ? createSegment(partial) : Files.exists(complete) ? complete : partial;
    open = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    openIsFresh = fresh;
    openSegment = segNo;
    return open;
  }

  /** A zero-filled, full-size segment that appears under its .partial name only once durable. */
  private Path createSegment(Path partial) throws IOException {
    Path tmp = dir.resolve("waltmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        zeroFill(ch, 0, segmentSize);
        ch.force(true);
      }
      Files.move(tmp, partial, StandardCopyOption.ATOMIC_MOVE);
      DurableFile.fsyncDirectory(dir);
      return partial;
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(partial);
      throw e;
    }
  }

  private void completeOpenSegment() throws IOException {
    open.force(false);
    dirty = false;
    long segNo = openSegment;
    closeOpen();
    Path partial = dir.resolve(fileName(segNo) + PARTIAL);
    if (Files.exists(partial)) {
      Files.move(partial, dir.resolve(fileName(segNo)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void zeroFill(FileChannel ch, long from, long to) throws IOException {
    long at = from;
    while (at < to) {
      ByteBuffer z = ZEROS.duplicate().limit((int) Math.min(ZEROS.capacity(), to - at));
      while (z.hasRemaining()) at += ch.write(z, at);
    }
  }

  private void closeOpen() throws IOException {
    if (open != null) open.close();
    open = null;
    openSegment = -1;
    openIsFresh = false;
  }

  @Override
  public void close() throws IOException {
    flush();
    closeOpen();
  }
}
