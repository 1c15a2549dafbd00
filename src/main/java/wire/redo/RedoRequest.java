package wire.redo;

import java.util.List;
import java.util.Objects;
import wire.pgdata.RelTag;

/**
 * Rebuild one page: the block, an optional base image ({@code null} when the history starts with a
 * record that restores or initialises the page) and the records to replay over it, oldest first.
 */
public record RedoRequest(RelTag rel, int fork, int blkno, byte[] baseImage, List<RedoRecord> records) {
  public RedoRequest {
    Objects.requireNonNull(rel, "rel");
    if (fork < 0 || fork > RelTag.INIT_FORK) throw new IllegalArgumentException("fork " + fork + " is not 0..3");
    if (baseImage != null && baseImage.length != RedoProtocol.PAGE_SIZE) {
      throw new IllegalArgumentException("base image is " + baseImage.length + " bytes, not " + RedoProtocol.PAGE_SIZE);
    }
    records = List.copyOf(records);
  }

  /** {@code spc/db/rel.fork.blk}, for messages. */
  public String block() {
    return rel.block(fork, blkno);
  }
}
