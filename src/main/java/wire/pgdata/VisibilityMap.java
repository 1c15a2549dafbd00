package wire.pgdata;

/**
 * A relation's visibility map fork (PostgreSQL 15 {@code visibilitymap.c}): after the 24-byte page
 * header, two bits per heap block (ALL_VISIBLE, ALL_FROZEN), four heap blocks per byte, lowest bits
 * first; 32672 heap blocks per 8 KiB map page. Heap block numbers are unsigned 32-bit, held in longs.
 */
public final class VisibilityMap {
  public static final int PAGE_SIZE = 8192;
  /** Map bytes per page: the page minus MAXALIGN(SizeOfPageHeaderData). */
  public static final int MAP_SIZE = PAGE_SIZE - PageHeader.SIZE;
  public static final int BITS_PER_HEAP_BLOCK = 2;
  public static final int HEAP_BLOCKS_PER_BYTE = 4;
  public static final int HEAP_BLOCKS_PER_PAGE = MAP_SIZE * HEAP_BLOCKS_PER_BYTE;
  public static final int ALL_VISIBLE = 0x01;
  public static final int ALL_FROZEN = 0x02;
  public static final int VALID_BITS = ALL_VISIBLE | ALL_FROZEN;

  private VisibilityMap() {}

  /** The map page holding the heap block's bits. */
  public static long mapBlock(long heapBlock) {
    return heapBlock / HEAP_BLOCKS_PER_PAGE;
  }

  /** The byte of the page (header included) holding the heap block's bits. */
  public static int pageByte(long heapBlock) {
    return PageHeader.SIZE + (int) (heapBlock % HEAP_BLOCKS_PER_PAGE) / HEAP_BLOCKS_PER_BYTE;
  }

  /** Where the heap block's two bits start within their byte. */
  public static int bitOffset(long heapBlock) {
    return (int) (heapBlock % HEAP_BLOCKS_PER_BYTE) * BITS_PER_HEAP_BLOCK;
  }

  /** The heap block's bits (ALL_VISIBLE, ALL_FROZEN) on its map page. */
  public static int bits(byte[] page, long heapBlock) {
    return (page[pageByte(heapBlock)] >> bitOffset(heapBlock)) & VALID_BITS;
  }

  /** Clears the given bits of one heap block on its map page. */
  public static void clear(byte[] page, long heapBlock, int flags) {
    page[pageByte(heapBlock)] &= (byte) ~((flags & VALID_BITS) << bitOffset(heapBlock));
  }

  /**
   * What {@code visibilitymap_prepare_truncate} does to the map page holding the new end of the heap:
   * every map byte after {@code truncByte} zeroed, and only the low {@code truncOffset} bits of that
   * byte kept. Both count within the map body, as the WAL-derived values do.
   */
  public static void truncate(byte[] page, int truncByte, int truncOffset) {
    java.util.Arrays.fill(page, PageHeader.SIZE + truncByte + 1, PAGE_SIZE, (byte) 0);
    page[PageHeader.SIZE + truncByte] &= (byte) ((1 << truncOffset) - 1);
  }
}
