package wire.redo;

import java.util.Objects;
import wire.xlog.Lsn;

/**
 * One WAL record as the redo service takes it: the raw bytes ({@code xl_tot_len} of them, reassembled
 * across WAL page boundaries), where it starts, and where it ends. {@code end} is PostgreSQL's
 * {@code EndRecPtr} (MAXALIGNed, counting the page headers the record crosses); redo stamps it into
 * {@code pd_lsn}, so it is not always the next record's start.
 */
public record RedoRecord(byte[] bytes, Lsn start, Lsn end) {
  public RedoRecord {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }
}
