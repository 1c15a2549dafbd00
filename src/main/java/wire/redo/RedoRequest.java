package wire.redo;

import java.util.List;
import java.util.Objects;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;

/**
 * Rebuild one page: the block, an optional base image ({@code null} when the history starts with a
 * record that restores or initialises the page) and the records to replay over it, oldest first.
 */
public record RedoRequest(RelFileNode rel, int fork, int blkno, byte[] baseImage, List<RedoRecord> records) {
  public RedoRequest {
    Objects.requireNonNull(rel, "rel");
    if (ForkNumber.ofNumber(fork) == null) throw new IllegalArgumentException("fork " + fork + " is not 0..3");
    if (baseImage != null && baseImage.length != RedoProtocol.PAGE_SIZE) {
      throw new IllegalArgumentException("base image is " + baseImage.length + " bytes, not " + RedoProtocol.PAGE_SIZE);
    }
    records = List.copyOf(records);
  }

  /** {@code spc/db/rel.fork.blk}, for messages (as {@code strata waldump} prints block references). */
  public String block() {
    return block(rel, fork, blkno);
  }

  public static String block(RelFileNode rel, int fork, int blkno) {
    ForkNumber f = ForkNumber.ofNumber(fork);
    String forkName = f != null ? f.shortName() : Integer.toString(fork);
    return rel + "." + forkName + "." + Integer.toUnsignedString(blkno);
  }
}
