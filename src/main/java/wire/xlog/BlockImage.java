package wire.xlog;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import wire.xlog.WalFormatException.Kind;

/**
 * A full-page image in a block reference (XLogRecordBlockImageHeader): the stored bytes, the
 * "hole" of zeros left out between pd_lower and pd_upper, and how the bytes were compressed.
 * {@link #restorePage()} rebuilds the 8 KiB page.
 */
public final class BlockImage {
  public static final int PAGE_SIZE = 8192;

  public static final int HAS_HOLE = 0x01;
  public static final int APPLY = 0x02;
  public static final int COMPRESS_PGLZ = 0x04;
  public static final int COMPRESS_LZ4 = 0x08;
  public static final int COMPRESS_ZSTD = 0x10;
  static final int COMPRESSED = COMPRESS_PGLZ | COMPRESS_LZ4 | COMPRESS_ZSTD;
  private static final int KNOWN_FLAGS = HAS_HOLE | APPLY | COMPRESSED;

  public enum Compression { NONE, PGLZ, LZ4, ZSTD }

  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

  private final ByteBuffer record;
  private final int offset;
  private final int length;
  private final int holeOffset;
  private final int holeLength;
  private final int info;
  private final long lsn;

  BlockImage(ByteBuffer record, int offset, int length, int holeOffset, int holeLength, int info, long lsn) {
    this.record = record;
    this.offset = offset;
    this.length = length;
    this.holeOffset = holeOffset;
    this.holeLength = holeLength;
    this.info = info;
    this.lsn = lsn;
  }

  /** bimg_len: bytes stored in the record (after compression, without the hole). */
  public int length() {
    return length;
  }

  public int holeOffset() {
    return holeOffset;
  }

  public int holeLength() {
    return holeLength;
  }

  /** bimg_info flags. */
  public int info() {
    return info;
  }

  /** Whether redo restores this image; false means it is only there for wal_consistency_checking. */
  public boolean isApplied() {
    return (info & APPLY) != 0;
  }

  public boolean isCompressed() {
    return (info & COMPRESSED) != 0;
  }

  /** The compression method; PGLZ wins if several bits are set, as in PostgreSQL. */
  public Compression compression() {
    if ((info & COMPRESS_PGLZ) != 0) return Compression.PGLZ;
    if ((info & COMPRESS_LZ4) != 0) return Compression.LZ4;
    if ((info & COMPRESS_ZSTD) != 0) return Compression.ZSTD;
    return Compression.NONE;
  }

  /** The stored bytes, a read-only little-endian view into the record. */
  public ByteBuffer bytes() {
    return WalRecord.view(record, offset, length);
  }

  /** Decompresses (if needed) and puts the hole back: a full page of exactly 8192 bytes. */
  public byte[] restorePage() throws WalFormatException {
    byte[] page = new byte[PAGE_SIZE];
    int rawSize = PAGE_SIZE - holeLength;
    if ((info & ~KNOWN_FLAGS) != 0) {
      throw new WalFormatException(Kind.UNKNOWN_COMPRESSION, Lsn.of(lsn),
          String.format("page image with unknown method flags 0x%02X (bimg_info 0x%02X)", info & ~KNOWN_FLAGS, info));
    }
    switch (compression()) {
      case NONE -> record.get(offset, page, 0, rawSize);
      case PGLZ -> {
        if (!Pglz.decompress(record, offset, length, page, 0, rawSize)) throw corrupt("pglz", rawSize);
      }
      case LZ4 -> decompressLz4(page, rawSize);
      case ZSTD -> decompressZstd(page, rawSize);
    }
    if (holeLength > 0) {
      // the bytes after the hole were decompressed right behind its start; move them up
      System.arraycopy(page, holeOffset, page, holeOffset + holeLength, rawSize - holeOffset);
      java.util.Arrays.fill(page, holeOffset, holeOffset + holeLength, (byte) 0);
    }
    return page;
  }

  private void decompressLz4(byte[] page, int rawSize) throws WalFormatException {
    int produced;
    try {
      produced = LZ4.decompress(record, offset, length, ByteBuffer.wrap(page), 0, rawSize);
    } catch (LZ4Exception e) {
      throw corrupt("lz4", rawSize);
    }
    if (produced != rawSize) throw corrupt("lz4", rawSize);
  }

  private void decompressZstd(byte[] page, int rawSize) throws WalFormatException {
    byte[] src = new byte[length];
    record.get(offset, src);
    long produced;
    try {
      produced = Zstd.decompressByteArray(page, 0, rawSize, src, 0, length);
    } catch (ZstdException e) {
      throw corrupt("zstd", rawSize);
    }
    if (Zstd.isError(produced) || produced != rawSize) throw corrupt("zstd", rawSize);
  }

  private WalFormatException corrupt(String method, int rawSize) {
    return new WalFormatException(Kind.BAD_COMPRESSED_IMAGE, Lsn.of(lsn),
        method + " image of " + length + " bytes does not decompress to " + rawSize + " bytes");
  }
}
