package wire.xlog;

import java.util.AbstractList;
import java.util.RandomAccess;

/** The block references of one record: the size is known from decoding; elements are the record's, built on first read. */
final class BlockList extends AbstractList<BlockRef> implements RandomAccess {
  private final WalRecord record;

  BlockList(WalRecord record) {
    this.record = record;
  }

  @Override
  public int size() {
    return record.blockCount();
  }

  @Override
  public BlockRef get(int index) {
    return record.blockRef(index);
  }
}
