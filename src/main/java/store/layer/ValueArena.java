package store.layer;

import java.util.Arrays;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * The encoded values of one in-memory layer, packed into 1 MiB chunks instead of one array each:
 * a layer of 256 MiB is a few hundred objects for the garbage collector, not millions, which is
 * what made young collections slow while a layer filled. A value is found by its location
 * (chunk index in the high 32 bits, offset in the low) and its length.
 *
 * <p>One writer appends; readers may read any value whose location was published to them after
 * the append (bytes of a chunk are never rewritten and the chunk table is replaced, not changed).
 */
final class ValueArena {
  static final int CHUNK = 1 << 20;

  private volatile byte[][] chunks = new byte[8][];
  private int count;   // chunks in use; the last one is being filled
  private int used;    // bytes used in the last chunk

  /** Encodes {@code value} ({@code length} bytes, from {@link ValueFormat#encodedLength}) and returns its location. Writer only. */
  long append(Value value, int length) {
    if (count == 0 || CHUNK - used < length) {
      // a value larger than a chunk gets one of its own; the next value starts a new one
      addChunk(new byte[Math.max(CHUNK, length)]);
    }
    int index = count - 1;
    int off = used;
    ValueFormat.encodeInto(value, chunks[index], off);
    used += length;
    return ((long) index << 32) | off;
  }

  private void addChunk(byte[] chunk) {
    byte[][] table = chunks;
    if (count == table.length) table = Arrays.copyOf(table, count * 2);
    table[count++] = chunk;
    chunks = table;   // publish before any location in the new chunk is published
    used = 0;
  }

  /** The chunk holding a location. */
  byte[] chunk(long location) {
    return chunks[(int) (location >>> 32)];
  }

  static int offset(long location) {
    return (int) location;
  }
}
