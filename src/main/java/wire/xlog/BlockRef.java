package wire.xlog;

import java.nio.ByteBuffer;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;

/**
 * One block reference of a WAL record (XLogRecordBlockHeader): which page of which relation fork
 * the record touches, the rmgr's data for that page, and an optional full-page image.
 */
public final class BlockRef {
  public static final int FORK_MASK = 0x0F;
  public static final int HAS_IMAGE = 0x10;
  public static final int HAS_DATA = 0x20;
  public static final int WILL_INIT = 0x40;
  public static final int SAME_REL = 0x80;

  private final int id;
  private final int forkFlags;
  private final int relOffset; // where the RelFileNode lies in record: this block's header, or an earlier one (SAME_REL)
  private final int blockNumber;
  private final ByteBuffer record;
  private final int dataOffset;
  private final int dataLength;
  private final BlockImage image;
  private RelFileNode rel;

  BlockRef(int id, int forkFlags, int relOffset, int blockNumber, ByteBuffer record, int dataOffset, int dataLength,
      BlockImage image) {
    this.id = id;
    this.forkFlags = forkFlags;
    this.relOffset = relOffset;
    this.blockNumber = blockNumber;
    this.record = record;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
    this.image = image;
  }

  /** block_id, 0..32; redo code addresses references by it. */
  public int id() {
    return id;
  }

  /** The fork_flags byte as stored: fork number in the low nibble, BKPBLOCK_* flags above. */
  public int flags() {
    return forkFlags;
  }

  public int forkNumber() {
    return forkFlags & FORK_MASK;
  }

  /** The fork, or null when the number is not one PostgreSQL has (redo would fail on it, the decoder does not). */
  public ForkNumber fork() {
    return ForkNumber.ofNumber(forkNumber());
  }

  /** main, fsm, vm or init; other numbers print as the number. */
  public String forkName() {
    ForkNumber fork = fork();
    return fork != null ? fork.shortName() : Integer.toString(forkNumber());
  }

  public RelFileNode rel() {
    if (rel == null) rel = RelFileNode.at(record, relOffset);
    return rel;
  }

  /** The block number, unsigned 32-bit. */
  public int blockNumber() {
    return blockNumber;
  }

  /** Redo reinitialises the page, so it needs no earlier version of it. */
  public boolean willInit() {
    return (forkFlags & WILL_INIT) != 0;
  }

  public boolean hasImage() {
    return image != null;
  }

  /** The full-page image, or null. */
  public BlockImage image() {
    return image;
  }

  public int dataLength() {
    return dataLength;
  }

  /** The rmgr's per-block data, a read-only little-endian view (empty when there is none). */
  public ByteBuffer data() {
    return WalRecord.view(record, dataOffset, dataLength);
  }

  @Override
  public String toString() {
    return rel() + "." + forkName() + "." + Integer.toUnsignedString(blockNumber) + (image != null ? "+fpi" : "");
  }
}
