package store.layer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import wire.keyspace.Value;
import wire.keyspace.ValueFormat;

/**
 * The encoded values of one in-memory layer, packed into chunks of direct (off-heap) memory
 * instead of one heap array each. On the heap, a filling 256 MiB layer was copied by every young
 * collection that promoted it and then filled the old generation, so full collections came one
 * after another; off the heap the collector sees a few hundred small buffer objects. Chunks start
 * at 64 KiB and double up to 1 MiB, so a small layer holds little. The memory is released when
 * the layer is no longer referenced (the buffers' cleaners); the JDK runs a collection itself when
 * direct memory runs short.
 *
 * <p>A value is found by its location (chunk index in the high 32 bits, offset in the low) and its
 * length. One writer appends; readers may read any value whose location was published to them
 * after the append: a chunk's bytes are never rewritten and the chunk table is replaced, not changed.
 */
final class ValueArena {
  static final int FIRST_CHUNK = 64 << 10;
  static final int MAX_CHUNK = 1 << 20;

  private volatile ByteBuffer[] chunks = new ByteBuffer[8];
  private int count;            // chunks in use; the last one is being filled
  private ByteBuffer cursor;    // the writer's view of the last chunk, positioned after its last value

  /** Encodes {@code value} ({@code length} bytes, from {@link ValueFormat#encodedLength}) and returns its location. Writer only. */
  long append(Value value, int length) {
    if (cursor == null || cursor.remaining() < length) {
      int size = count == 0 ? FIRST_CHUNK : Math.min(MAX_CHUNK, chunks[count - 1].capacity() * 2);
      addChunk(ByteBuffer.allocateDirect(Math.max(size, length)));   // a large value gets a chunk of its own size
    }
    int off = cursor.position();
    ValueFormat.encodeInto(value, cursor);
    return ((long) (count - 1) << 32) | off;
  }

  private void addChunk(ByteBuffer chunk) {
    ByteBuffer[] table = chunks;
    if (count == table.length) table = Arrays.copyOf(table, count * 2);
    table[count++] = chunk;
    chunks = table;   // published before any location in the new chunk is
    cursor = chunk.duplicate();
  }

  /** The value at {@code location}, {@code length} bytes, as a buffer of its own. */
  ByteBuffer value(long location, int length) {
    return chunks[(int) (location >>> 32)].slice((int) location, length);
  }

  /** The first byte of the value at {@code location}. */
  byte firstByte(long location) {
    return chunks[(int) (location >>> 32)].get((int) location);
  }
}
