package store.layer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import wire.keyspace.Key;

/**
 * The layer file format, for delta and image layers alike. All integers are big-endian.
 *
 * <pre>
 * header, 80 bytes at offset 0
 *    0 magic u32 "STLY"     4 version u16          6 kind u8 (1 delta, 2 image)   7 reserved u8 = 0
 *    8 key start (18)      26 key end (18)        44 lsn start u64               52 lsn end u64
 *   60 entry count u32     64 max value length u32 68 index offset u64            76 CRC-32C u32 of bytes 0..75
 * values, from offset 80, sorted by (key, lsn): each is ValueFormat bytes, then a CRC-32C u32 of them
 * index, at index offset: entry count fixed-width entries sorted by (key, lsn), then a CRC-32C u32 of them
 *    entry: key (18) | lsn u64 | value offset u64 | value length u32 | flags u8 (bit 0: will_init)
 * end of file = index offset + 39 * entry count + 4
 * </pre>
 *
 * An image layer's entries all carry its LSN and the will_init flag. The name of the file says the
 * same kind and ranges as its header ({@link LayerName}). This file is the only place the offsets appear.
 */
final class LayerFormat {
  static final int MAGIC = 0x53544C59;   // "STLY"
  static final int VERSION = 1;
  static final int HEADER_SIZE = 80;
  static final int HEADER_CRC_OFFSET = 76;
  static final int ENTRY_SIZE = 39;
  static final int VALUE_CRC_SIZE = 4;
  static final int INDEX_CRC_SIZE = 4;
  /** Values above this are refused, which keeps every value inside one mapped chunk of a large file. */
  static final int MAX_VALUE_LENGTH = (1 << 30) - 64;

  // offsets inside one index entry
  static final int ENTRY_LSN = 18, ENTRY_OFFSET = 26, ENTRY_LENGTH = 34, ENTRY_FLAGS = 38;
  static final int FLAG_WILL_INIT = 1;

  private static final byte KIND_DELTA = 1, KIND_IMAGE = 2;

  private LayerFormat() {}

  /** The decoded header; {@link #decode} checks what can be checked without the rest of the file. */
  record Header(LayerName name, int entryCount, int maxValueLength, long indexOffset) {
    long fileSize() {
      return indexOffset + (long) ENTRY_SIZE * entryCount + INDEX_CRC_SIZE;
    }

    byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
      b.putInt(MAGIC).putShort((short) VERSION).put(name.kind() == LayerKind.DELTA ? KIND_DELTA : KIND_IMAGE).put((byte) 0);
      name.keys().start().encode(b);
      name.keys().end().encode(b);
      b.putLong(name.lsnStart()).putLong(name.lsnEnd()).putInt(entryCount).putInt(maxValueLength).putLong(indexOffset);
      b.putInt(crc(b.array(), 0, HEADER_CRC_OFFSET));
      return b.array();
    }

    /** Decodes 80 header bytes; returns the problem as an IllegalArgumentException message. */
    static Header decode(ByteBuffer in) {
      ByteBuffer b = in.slice(0, HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
      int magic = b.getInt(0);
      if (magic != MAGIC) throw new IllegalArgumentException(String.format("magic 0x%08X, expected 0x%08X", magic, MAGIC));
      byte[] bytes = new byte[HEADER_CRC_OFFSET];
      b.get(0, bytes);
      int stored = b.getInt(HEADER_CRC_OFFSET), computed = crc(bytes, 0, bytes.length);
      if (stored != computed) {
        throw new IllegalArgumentException(String.format("header CRC-32C 0x%08X does not match stored 0x%08X", computed, stored));
      }
      int version = b.getShort(4) & 0xFFFF;
      if (version != VERSION) throw new IllegalArgumentException("format version " + version + ", this build reads version " + VERSION);
      byte kind = b.get(6);
      if (kind != KIND_DELTA && kind != KIND_IMAGE) throw new IllegalArgumentException("unknown layer kind " + kind);
      b.position(8);
      Key start = Key.decode(b), end = Key.decode(b);
      LayerName name = new LayerName(kind == KIND_DELTA ? LayerKind.DELTA : LayerKind.IMAGE, new KeyRange(start, end),
          b.getLong(), b.getLong());
      int count = b.getInt(), maxValue = b.getInt();
      long indexOffset = b.getLong();
      if (count < 0) throw new IllegalArgumentException("entry count " + Integer.toUnsignedString(count) + " is too large");
      if (maxValue < 0 || maxValue > MAX_VALUE_LENGTH) throw new IllegalArgumentException("max value length " + maxValue + " is out of range");
      if (indexOffset < HEADER_SIZE) throw new IllegalArgumentException("index offset " + indexOffset + " is inside the header");
      return new Header(name, count, maxValue, indexOffset);
    }
  }

  /** Writes one index entry at the buffer's position. */
  static void putEntry(ByteBuffer out, Key key, long lsn, long offset, int length, boolean willInit) {
    key.encode(out);
    out.putLong(lsn).putLong(offset).putInt(length).put((byte) (willInit ? FLAG_WILL_INIT : 0));
  }

  static int crc(byte[] bytes, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(bytes, off, len);
    return (int) c.getValue();
  }

  static int crc(ByteBuffer bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return (int) c.getValue();
  }

  /** Compares the key of the entry at {@code p} in an index buffer with {@code k}, as {@link Key#compareTo} would. */
  static int compareKeyAt(ByteBuffer index, int p, Key k) {
    int c = Integer.compare(index.get(p) & 0xFF, k.f1());
    if (c != 0) return c;
    c = Integer.compareUnsigned(index.getInt(p + 1), k.f2());
    if (c != 0) return c;
    c = Integer.compareUnsigned(index.getInt(p + 5), k.f3());
    if (c != 0) return c;
    c = Integer.compareUnsigned(index.getInt(p + 9), k.f4());
    if (c != 0) return c;
    c = Integer.compare(index.get(p + 13) & 0xFF, k.f5());
    if (c != 0) return c;
    return Integer.compareUnsigned(index.getInt(p + 14), k.f6());
  }

  /** f6, the last field of the key of the entry at {@code p} in an index buffer. */
  static int lastKeyFieldAt(ByteBuffer index, int p) {
    return index.getInt(p + 14);
  }
}
