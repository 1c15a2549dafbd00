package store.redo;

import wire.keyspace.Key;
import wire.pgdata.Slru;
import wire.redo.RedoRequest;
import wire.xlog.Lsn;

/**
 * A page could not be rebuilt from its history. The message reads
 * {@code redo failed for <page> at <X/Y>: <why>}, where the page is {@code spc/db/rel.fork.blk}
 * for a relation block and {@code pg_xact/0000 blk 3} for an SLRU block, and the LSN is that of the
 * value that could not be applied (the oldest one when the history lacks a base).
 */
public final class ReconstructFailed extends Exception {
  /** What went wrong, for mapping to protocol errors. */
  public enum Kind {
    /** The history has no image and does not start with a record that initialises the page. */
    NO_BASE_IMAGE,
    /** A value that cannot apply to this page: wrong kind of key, wrong page, wrong size, bad field. */
    INVALID_VALUE,
    /** The redo service refused or failed to replay a record; the service itself is fine. */
    REDO_FAILED,
    /** The redo service is unavailable: its process died (also on the retry), hung, or did not answer. */
    REDO_UNAVAILABLE
  }

  private final Key key;
  private final long lsn;
  private final Kind kind;
  private final String reason;

  public ReconstructFailed(Key key, long lsn, Kind kind, String reason, Throwable cause) {
    super("redo failed for " + describe(key) + " at " + Lsn.of(lsn) + ": " + reason, cause);
    this.key = key;
    this.lsn = lsn;
    this.kind = kind;
    this.reason = reason;
  }

  public ReconstructFailed(Key key, long lsn, Kind kind, String reason) {
    this(key, lsn, kind, reason, null);
  }

  public Key key() {
    return key;
  }

  public long lsn() {
    return lsn;
  }

  public Kind kind() {
    return kind;
  }

  public String reason() {
    return reason;
  }

  /** How messages name a page key. */
  public static String describe(Key key) {
    if (key.isRelBlock()) {
      return RedoRequest.block(key.relTag().node(), key.relTag().fork().ordinal(), key.blockNumber());
    }
    if (key.isSlruBlock() && key.f2() >= 0 && key.f2() < Key.SlruKind.values().length) {
      return Slru.fileName(key.slruKind().dir(), key.slruSegment()) + " blk " + Integer.toUnsignedString(key.blockNumber());
    }
    return "key " + key.toHex();
  }
}
