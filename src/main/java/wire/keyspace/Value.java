package wire.keyspace;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the pageserver stores for a key at an LSN (reference pageserver.md §2.5): a materialized image,
 * or a change to apply over an older version. Changes are either a PostgreSQL WAL record (replayed by
 * the redo service) or one of the small edits the pageserver applies itself (CLOG, multixact, VM).
 * {@link ValueFormat} holds the bytes.
 */
public sealed interface Value {
  /** True when this value needs no older version: an image, or a record that initialises its page. */
  boolean willInit();

  /** A complete value: a page, a relation size, a directory, a file. */
  record Image(byte[] bytes) implements Value {
    public Image {
      Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public boolean willInit() {
      return true;
    }
  }

  /** A whole PostgreSQL WAL record (header included) to replay on one block; start and end are its LSNs. */
  record PgRecord(boolean willInit, long startLsn, long endLsn, byte[] record) implements Value {
    public PgRecord {
      Objects.requireNonNull(record, "record");
    }
  }

  /**
   * Clears visibility-map bits of one or two heap blocks on a VM page; -1 means "no such block".
   * Heap redo does this outside the record's block list, so ingest adds it to the VM page itself.
   */
  record ClearVmFlags(long newHeapBlock, long oldHeapBlock, int flags) implements Value {
    @Override
    public boolean willInit() {
      return false;
    }
  }

  /** The VM page that holds a truncation point keeps only the bits before it. */
  record TruncateVm(int truncByte, int truncOffset) implements Value {
    @Override
    public boolean willInit() {
      return false;
    }
  }

  /** Marks transactions committed on a CLOG page; the commit time rides along for point-in-time lookups. */
  record ClogSetCommitted(int[] xids, long commitTimestamp) implements Value {
    public ClogSetCommitted {
      xids = xids.clone();
    }

    @Override
    public boolean willInit() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClogSetCommitted c && Arrays.equals(xids, c.xids) && commitTimestamp == c.commitTimestamp;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(xids) * 31 + Long.hashCode(commitTimestamp);
    }
  }

  record ClogSetAborted(int[] xids) implements Value {
    public ClogSetAborted {
      xids = xids.clone();
    }

    @Override
    public boolean willInit() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClogSetAborted c && Arrays.equals(xids, c.xids);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(xids);
    }
  }

  /**
   * Sets a multixact's starting member offset on its offsets page; a non-zero {@code nextOffset}
   * also sets the following multixact's, when it is on the same page (PostgreSQL 15.14+ does both).
   */
  record MultixactOffsetCreate(int multi, int offset, int nextOffset) implements Value {
    public MultixactOffsetCreate(int multi, int offset) {
      this(multi, offset, 0);
    }

    @Override
    public boolean willInit() {
      return false;
    }
  }

  /** Writes members (xid and status) starting at a member offset, all on one members page. */
  record MultixactMembersCreate(int offset, int[] xids, int[] statuses) implements Value {
    public MultixactMembersCreate {
      if (xids.length != statuses.length) throw new IllegalArgumentException(xids.length + " xids but " + statuses.length + " statuses");
      xids = xids.clone();
      statuses = statuses.clone();
    }

    @Override
    public boolean willInit() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MultixactMembersCreate m && offset == m.offset && Arrays.equals(xids, m.xids) && Arrays.equals(statuses, m.statuses);
    }

    @Override
    public int hashCode() {
      return offset * 31 + Arrays.hashCode(xids);
    }
  }
}
