package store.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import store.DurableFile.CorruptFile;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * An open, immutable layer file ({@link LayerFormat}), memory-mapped. Opening checks the header, the
 * size and the index CRC; each value's CRC is checked when it is read. Lookups binary-search the
 * mapped index, so nothing of the index is copied onto the heap. Safe for any number of threads; the
 * mapping stays readable after the file is unlinked, so a reader holding an old layer map is never
 * cut off by compaction or GC.
 */
public final class LayerFile {
  static final long DEFAULT_CHUNK = 1L << 30;

  private final Path path;
  private final LayerName name;
  private final long size;
  private final int count;
  private final long indexOffset;
  private final ByteBuffer index;
  private final ByteBuffer[] chunks;
  private final long chunkSize;

  private LayerFile(Path path, LayerName name, long size, int count, long indexOffset, ByteBuffer index, ByteBuffer[] chunks,
      long chunkSize) {
    this.path = path;
    this.name = name;
    this.size = size;
    this.count = count;
    this.indexOffset = indexOffset;
    this.index = index;
    this.chunks = chunks;
    this.chunkSize = chunkSize;
  }

  /** Opens and verifies a layer file; a damaged one is a {@link CorruptFile} naming the file and the problem. */
  public static LayerFile open(Path path) throws IOException {
    return open(path, Integer.MAX_VALUE, DEFAULT_CHUNK);
  }

  /** Files up to {@code maxSingleMap} bytes get one mapping; larger ones overlapping chunks of {@code chunkSize}. */
  static LayerFile open(Path path, long maxSingleMap, long chunkSize) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < LayerFormat.HEADER_SIZE) {
        throw new CorruptFile(path, "truncated: " + size + " bytes, shorter than the " + LayerFormat.HEADER_SIZE + "-byte header");
      }
      ByteBuffer hb = ByteBuffer.allocate(LayerFormat.HEADER_SIZE);
      while (hb.hasRemaining()) ch.read(hb, hb.position());
      LayerFormat.Header h;
      try {
        h = LayerFormat.Header.decode(hb);
      } catch (IllegalArgumentException e) {
        throw new CorruptFile(path, e.getMessage());
      }
      String fileName = path.getFileName().toString();
      if (!fileName.equals(h.name().toString())) {
        throw new CorruptFile(path, "the header describes layer " + h.name() + ", not the file's name");
      }
      if (size != h.fileSize()) {
        throw new CorruptFile(path, (size < h.fileSize() ? "truncated: " : "trailing bytes: ") + size
            + " bytes, the header says " + h.fileSize());
      }
      long indexBytes = (long) h.entryCount() * LayerFormat.ENTRY_SIZE;
      if (indexBytes + LayerFormat.INDEX_CRC_SIZE > Integer.MAX_VALUE) {
        throw new CorruptFile(path, "index of " + h.entryCount() + " entries is larger than this build maps");
      }
      ByteBuffer[] chunks;
      ByteBuffer index;
      long step;
      if (size <= maxSingleMap) {
        MappedByteBuffer whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        chunks = new ByteBuffer[] {whole};
        index = whole.slice((int) h.indexOffset(), (int) indexBytes + LayerFormat.INDEX_CRC_SIZE);
        step = Long.MAX_VALUE;
      } else {
        // chunk i maps [i*step, i*step + step + largest value): a value starting in it ends in it
        step = chunkSize;
        int n = (int) ((h.indexOffset() + step - 1) / step);
        chunks = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
          long from = i * step;
          long to = Math.min(h.indexOffset(), from + step + h.maxValueLength() + LayerFormat.VALUE_CRC_SIZE);
          chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, to - from);
        }
        index = ch.map(FileChannel.MapMode.READ_ONLY, h.indexOffset(), indexBytes + LayerFormat.INDEX_CRC_SIZE);
      }
      int stored = index.getInt((int) indexBytes);
      int computed = LayerFormat.crc(index.slice(0, (int) indexBytes));
      if (stored != computed) {
        throw new CorruptFile(path, String.format("index CRC-32C 0x%08X does not match stored 0x%08X", computed, stored));
      }
      return new LayerFile(path, h.name(), size, h.entryCount(), h.indexOffset(), index, chunks, step);
    }
  }

  public Path path() {
    return path;
  }

  public LayerName name() {
    return name;
  }

  public long sizeBytes() {
    return size;
  }

  public int entryCount() {
    return count;
  }

  /**
   * Adds the versions of {@code key} with LSN in {@code [floor, cont)} to {@code out}, newest first,
   * stopping after the first that needs no older one. Returns true when it stopped there.
   */
  public boolean collect(Key key, long floor, long cont, List<ValueHistory.Version> out) throws IOException {
    int lo = 0, hi = count;
    while (lo < hi) {   // first entry at or after (key, cont)
      int mid = (lo + hi) >>> 1;
      int p = mid * LayerFormat.ENTRY_SIZE;
      int c = LayerFormat.compareKeyAt(index, p, key);
      if (c == 0) c = Long.compare(index.getLong(p + LayerFormat.ENTRY_LSN), cont);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    for (int i = lo - 1; i >= 0; i--) {
      int p = i * LayerFormat.ENTRY_SIZE;
      if (LayerFormat.compareKeyAt(index, p, key) != 0) break;
      long lsn = index.getLong(p + LayerFormat.ENTRY_LSN);
      if (lsn < floor) break;
      out.add(new ValueHistory.Version(lsn, decode(i, valueBytes(i))));
      if (willInitAt(i)) return true;
    }
    return false;
  }

  // --- runs of keys, for basebackup ---

  /** The index of the first entry whose key is at or after {@code key}; {@link #entryCount()} when none is. */
  int seek(Key key) {
    int lo = 0, hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (LayerFormat.compareKeyAt(index, mid * LayerFormat.ENTRY_SIZE, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Compares the key of entry {@code i} with {@code key}, as {@link Key#compareTo} would. */
  int compareKeyAt(int i, Key key) {
    return LayerFormat.compareKeyAt(index, entry(i), key);
  }

  /** f6 of entry {@code i}'s key: the block number of a relation block key. */
  int lastKeyFieldAt(int i) {
    return LayerFormat.lastKeyFieldAt(index, entry(i));
  }

  /**
   * The page bytes of entry {@code i} when it is an image (a view into the mapping, CRC checked),
   * else null. No copy: the caller reads it before the next call.
   */
  ByteBuffer imageBytesAt(int i) throws IOException {
    ByteBuffer v = valueBytes(i);
    if (!v.hasRemaining() || v.get(0) != ValueFormat.IMAGE_TAG) return null;
    return v.slice(1, v.remaining() - 1);
  }

  // --- sequential access, for compaction and tests ---

  public Key keyAt(int i) {
    return Key.decode(index.slice(entry(i), Key.SIZE));
  }

  public long lsnAt(int i) {
    return index.getLong(entry(i) + LayerFormat.ENTRY_LSN);
  }

  public boolean willInitAt(int i) {
    return (index.get(entry(i) + LayerFormat.ENTRY_FLAGS) & LayerFormat.FLAG_WILL_INIT) != 0;
  }

  /** The encoded value of entry {@code i} (ValueFormat bytes), its CRC checked. */
  public byte[] rawValueAt(int i) throws IOException {
    ByteBuffer v = valueBytes(i);
    byte[] out = new byte[v.remaining()];
    v.get(out);
    return out;
  }

  public Value valueAt(int i) throws IOException {
    return decode(i, valueBytes(i));
  }

  private int entry(int i) {
    if (i < 0 || i >= count) throw new IndexOutOfBoundsException("entry " + i + " of " + count + " in " + path);
    return i * LayerFormat.ENTRY_SIZE;
  }

  /** A view of the value bytes of entry {@code i} after checking its bounds and CRC. */
  private ByteBuffer valueBytes(int i) throws IOException {
    int p = entry(i);
    long offset = index.getLong(p + LayerFormat.ENTRY_OFFSET);
    int length = index.getInt(p + LayerFormat.ENTRY_LENGTH);
    if (offset < LayerFormat.HEADER_SIZE || length < 0 || offset + length + LayerFormat.VALUE_CRC_SIZE > indexOffset) {
      throw new CorruptFile(path, "index entry " + i + " points at " + length + " bytes at offset " + offset + ", outside the values");
    }
    int c = (int) (offset / chunkSize);
    ByteBuffer chunk = chunks[c];
    int rel = (int) (offset - c * chunkSize);
    if (rel + length + LayerFormat.VALUE_CRC_SIZE > chunk.limit()) {
      throw new CorruptFile(path, "value of entry " + i + " (" + length + " bytes) is longer than the header's maximum");
    }
    ByteBuffer v = chunk.slice(rel, length);
    CRC32C crc = new CRC32C();
    crc.update(v.duplicate());
    int stored = chunk.getInt(rel + length);
    if (stored != (int) crc.getValue()) {
      throw new CorruptFile(path, String.format("value CRC-32C mismatch at offset %d (key %s lsn %s): computed 0x%08X, stored 0x%08X",
          offset, keyAt(i), LayerName.hex(lsnAt(i)), (int) crc.getValue(), stored));
    }
    return v;
  }

  private Value decode(int i, ByteBuffer bytes) throws CorruptFile {
    try {
      return ValueFormat.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new CorruptFile(path, "value of key " + keyAt(i) + " lsn " + LayerName.hex(lsnAt(i)) + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return name.toString();
  }
}
