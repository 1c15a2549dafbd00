package store.layer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.zip.CRC32C;
import store.DurableFile;
import wire.keyspace.Key;
import wire.keyspace.ValueFormat;

/**
 * Streams versions sorted by (key, lsn) into a new layer file ({@link LayerFormat}). Values go to a
 * temp file, index entries to a second temp file (so a huge index never sits on the heap); {@link
 * #finish} appends the index, writes the header, fsyncs, renames to the layer's name and fsyncs the
 * directory. Closing an unfinished writer deletes its temp files.
 */
public final class LayerWriter implements Closeable {
  /** Temp files end with this; a timeline opening deletes every leftover one. */
  public static final String TEMP_SUFFIX = ".___temp";
  private static final int BUFFER = 1 << 20;

  private final Path dir;
  private final LayerKind kind;
  private final long lsnStart, lsnEnd;
  private final Path dataTmp, indexTmp;
  private final FileChannel data, index;
  private final ByteBuffer dataBuf = ByteBuffer.allocate(BUFFER).order(ByteOrder.BIG_ENDIAN);
  private final ByteBuffer indexBuf = ByteBuffer.allocate(LayerFormat.ENTRY_SIZE * 16384).order(ByteOrder.BIG_ENDIAN);
  private final CRC32C indexCrc = new CRC32C();
  private final CRC32C valueCrc = new CRC32C();
  private long position = LayerFormat.HEADER_SIZE;
  private int count, maxValueLength;
  private Key firstKey, lastKey;
  private long lastLsn;
  private boolean finished;

  private LayerWriter(Path dir, LayerKind kind, long lsnStart, long lsnEnd) throws IOException {
    this.dir = dir;
    this.kind = kind;
    this.lsnStart = lsnStart;
    this.lsnEnd = lsnEnd;
    String base = UUID.randomUUID().toString();
    this.dataTmp = dir.resolve(base + TEMP_SUFFIX);
    this.indexTmp = dir.resolve(base + ".index" + TEMP_SUFFIX);
    this.data = FileChannel.open(dataTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel idx = null;
    try {
      idx = FileChannel.open(indexTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } finally {
      if (idx == null) abort();
    }
    this.index = idx;
    dataBuf.position(LayerFormat.HEADER_SIZE);   // the header is written last, over these zeros
  }

  /** A delta layer over {@code [lsnStart, lsnEnd)}. */
  public static LayerWriter delta(Path dir, long lsnStart, long lsnEnd) throws IOException {
    LayerName.delta(KeyRange.FULL, lsnStart, lsnEnd);   // validates the range
    return new LayerWriter(dir, LayerKind.DELTA, lsnStart, lsnEnd);
  }

  /** An image layer at {@code lsn}: add every existing key of its range, each at this LSN. */
  public static LayerWriter image(Path dir, long lsn) throws IOException {
    return new LayerWriter(dir, LayerKind.IMAGE, lsn, lsn + 1);
  }

  public void add(KeyValue kv) throws IOException {
    add(kv.key(), kv.lsn(), ValueFormat.encode(kv.value()), kv.value().willInit());
  }

  /** Adds one version; keys and LSNs must ascend strictly, and the LSN lie inside the layer's range. */
  public void add(Key key, long lsn, byte[] encodedValue, boolean willInit) throws IOException {
    add(key, lsn, ByteBuffer.wrap(encodedValue), willInit);
  }

  /** Like {@link #add(Key, long, byte[], boolean)} with the value between {@code value}'s position and limit (left unchanged). */
  public void add(Key key, long lsn, ByteBuffer value, boolean willInit) throws IOException {
    int length = value.remaining();
    if (finished) throw new IllegalStateException("layer writer already finished");
    if (lsn < lsnStart || lsn >= lsnEnd) {
      throw new IllegalArgumentException("LSN " + LayerName.hex(lsn) + " of key " + key + " is outside the layer's range "
          + LayerName.hex(lsnStart) + "-" + LayerName.hex(lsnEnd));
    }
    if (lastKey != null) {
      int c = key.compareTo(lastKey);
      if (c < 0 || (c == 0 && lsn <= lastLsn)) {
        throw new IllegalArgumentException("versions out of order: " + key + "@" + LayerName.hex(lsn) + " after " + lastKey
            + "@" + LayerName.hex(lastLsn));
      }
    }
    if (length > LayerFormat.MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("value of " + key + "@" + LayerName.hex(lsn) + " is " + length
          + " bytes, more than a layer holds (" + LayerFormat.MAX_VALUE_LENGTH + ")");
    }
    if (count == Integer.MAX_VALUE) throw new IllegalStateException("a layer holds at most " + Integer.MAX_VALUE + " versions");
    if (kind == LayerKind.IMAGE) willInit = true;

    long offset = position;
    valueCrc.reset();
    valueCrc.update(value.duplicate());
    writeData(value.duplicate());
    if (dataBuf.remaining() < LayerFormat.VALUE_CRC_SIZE) flushData();
    dataBuf.putInt((int) valueCrc.getValue());
    position += length + LayerFormat.VALUE_CRC_SIZE;

    if (indexBuf.remaining() < LayerFormat.ENTRY_SIZE) flushIndex();
    LayerFormat.putEntry(indexBuf, key, lsn, offset, length, willInit);

    if (firstKey == null) firstKey = key;
    lastKey = key;
    lastLsn = lsn;
    count++;
    maxValueLength = Math.max(maxValueLength, length);
  }

  public int entryCount() {
    return count;
  }

  /** Bytes of values written so far (what target sizes are measured in). */
  public long bytesWritten() {
    return position - LayerFormat.HEADER_SIZE;
  }

  /** The first and last keys added, or null before the first. */
  public Key firstKey() {
    return firstKey;
  }

  public Key lastKey() {
    return lastKey;
  }

  /** Completes the file under its name for {@code keys} and opens it. Every added key must lie inside {@code keys}. */
  public LayerFile finish(KeyRange keys) throws IOException {
    if (finished) throw new IllegalStateException("layer writer already finished");
    if (firstKey != null && (!keys.contains(firstKey) || !keys.contains(lastKey))) {
      throw new IllegalArgumentException("keys " + firstKey + ".." + lastKey + " do not fit the layer's key range " + keys);
    }
    LayerName name = new LayerName(kind, keys, lsnStart, lsnEnd);
    flushData();
    flushIndex();
    long indexOffset = position;
    long indexBytes = (long) count * LayerFormat.ENTRY_SIZE;
    for (long done = 0; done < indexBytes; ) {
      done += index.transferTo(done, indexBytes - done, data.position(indexOffset + done));
    }
    ByteBuffer tail = ByteBuffer.allocate(LayerFormat.INDEX_CRC_SIZE).putInt(0, (int) indexCrc.getValue());
    while (tail.hasRemaining()) data.write(tail, indexOffset + indexBytes + tail.position());
    ByteBuffer header = ByteBuffer.wrap(new LayerFormat.Header(name, count, maxValueLength, indexOffset).encode());
    while (header.hasRemaining()) data.write(header, header.position());
    data.force(true);
    data.close();
    index.close();
    Files.delete(indexTmp);
    Path target = dir.resolve(name.toString());
    Files.move(dataTmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DurableFile.fsyncDirectory(dir);
    finished = true;
    return LayerFile.open(target);
  }

  private void writeData(ByteBuffer src) throws IOException {
    if (src.remaining() > dataBuf.remaining()) flushData();
    if (src.remaining() > dataBuf.remaining()) {
      while (src.hasRemaining()) data.write(src);
    } else {
      dataBuf.put(src);
    }
  }

  private void flushData() throws IOException {
    dataBuf.flip();
    while (dataBuf.hasRemaining()) data.write(dataBuf);
    dataBuf.clear();
  }

  private void flushIndex() throws IOException {
    indexBuf.flip();
    indexCrc.update(indexBuf.duplicate());
    while (indexBuf.hasRemaining()) index.write(indexBuf);
    indexBuf.clear();
  }

  @Override
  public void close() throws IOException {
    if (!finished) abort();
  }

  private void abort() throws IOException {
    finished = true;
    if (data.isOpen()) data.close();
    if (index != null && index.isOpen()) index.close();
    Files.deleteIfExists(dataTmp);
    Files.deleteIfExists(indexTmp);
  }
}
