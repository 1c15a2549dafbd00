package store.redo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import store.layer.ValueHistory;
import store.layer.ValueHistory.Version;
import store.redo.ReconstructFailed.Kind;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.RelTag;
import wire.redo.RedoRecord;
import wire.redo.RedoRequest;
import wire.xlog.Lsn;

/**
 * Rebuilds a page from its history (pageserver.md §4.6 step 5 and §5.1): oldest first, from the
 * image at the bottom, or from nothing when the oldest value is a PostgreSQL record that
 * initialises the page. The values above are cut into maximal runs: a run of PostgreSQL records
 * goes to the redo service as one request whose base image is the page so far; the other values
 * are applied here by {@link NativeRedo}. Each run's page feeds the next.
 *
 * <p>Blocking: the calling thread waits for the redo service. Safe for concurrent use when the
 * service is.
 */
public final class PageReconstructor {
  private final RedoService redo;

  public PageReconstructor(RedoService redo) {
    this.redo = redo;
  }

  /**
   * The page as of the history's LSN. A CLOG page keeps the shape its values give it (8 KiB, or
   * 8 KiB and an 8-byte commit timestamp). The returned array is the caller's.
   */
  public byte[] reconstruct(ValueHistory h) throws ReconstructFailed {
    Key key = h.key();
    if (h.isEmpty()) throw new ReconstructFailed(key, h.lsn(), Kind.NO_BASE_IMAGE, "the key has no value at or below this LSN");
    List<Version> values = new ArrayList<>(h.newestFirst());
    java.util.Collections.reverse(values);

    Version oldest = values.get(0);
    byte[] page = null;
    int i = 0;
    if (oldest.value() instanceof Value.Image img) {
      page = image(key, oldest.lsn(), img);
      i = 1;
    } else if (!(oldest.value() instanceof Value.PgRecord r && r.willInit())) {
      throw new ReconstructFailed(key, oldest.lsn(), Kind.NO_BASE_IMAGE, "the oldest value found, a " + NativeRedo.name(oldest.value())
          + ", needs an older page, and there is no image or initialising record below it"
          + (h.complete() ? "" : " in any layer"));
    }

    while (i < values.size()) {
      Version v = values.get(i);
      if (v.value() instanceof Value.Image img) {
        page = image(key, v.lsn(), img);   // an image above the oldest makes everything below moot
        i++;
      } else if (v.value() instanceof Value.PgRecord) {
        int end = i;
        while (end < values.size() && values.get(end).value() instanceof Value.PgRecord) end++;
        page = replay(key, page, values.subList(i, end));
        i = end;
      } else {
        page = NativeRedo.apply(key, v.lsn(), page, v.value());
        i++;
      }
    }
    return page;
  }

  private static byte[] image(Key key, long lsn, Value.Image img) throws ReconstructFailed {
    int n = img.bytes().length;
    boolean clog = key.isSlruBlock() && key.f2() == Key.SlruKind.CLOG.ordinal();
    if (n != NativeRedo.PAGE_SIZE && !(clog && n == NativeRedo.PAGE_SIZE + NativeRedo.CLOG_TRAILER_SIZE)) {
      throw new ReconstructFailed(key, lsn, Kind.INVALID_VALUE, "the page image is " + n + " bytes, not " + NativeRedo.PAGE_SIZE
          + (clog ? " or " + (NativeRedo.PAGE_SIZE + NativeRedo.CLOG_TRAILER_SIZE) : ""));
    }
    return img.bytes().clone();   // images may be shared (a layer cache); the page we build is ours
  }

  /** One run of PostgreSQL records, as one request to the redo service. */
  private byte[] replay(Key key, byte[] base, List<Version> run) throws ReconstructFailed {
    Version first = run.get(0);
    Version last = run.get(run.size() - 1);
    if (!key.isRelBlock()) {
      throw new ReconstructFailed(key, first.lsn(), Kind.INVALID_VALUE, key.isSlruBlock()
          ? "SLRU pages never carry PostgreSQL WAL records, but there is one here (their changes are applied natively)"
          : "only relation pages carry PostgreSQL WAL records, but there is one here");
    }
    if (base != null && base.length != NativeRedo.PAGE_SIZE) {
      throw new ReconstructFailed(key, first.lsn(), Kind.INVALID_VALUE, "the page under the WAL records is " + base.length + " bytes");
    }
    RelTag rel = key.relTag();
    List<RedoRecord> records = new ArrayList<>(run.size());
    for (Version v : run) {
      Value.PgRecord r = (Value.PgRecord) v.value();
      records.add(new RedoRecord(r.record(), Lsn.of(r.startLsn()), Lsn.of(r.endLsn())));
    }
    RedoRequest request = new RedoRequest(rel.node(), rel.fork().ordinal(), key.blockNumber(), base, records);
    byte[] page;
    try {
      page = redo.redo(request).toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconstructFailed(key, first.lsn(), Kind.REDO_UNAVAILABLE, "interrupted while waiting for the redo service", e);
    } catch (ExecutionException | CompletionException e) {
      throw serviceFailure(key, run, e.getCause() != null ? e.getCause() : e);
    }
    if (page == null || page.length != NativeRedo.PAGE_SIZE) {
      throw new ReconstructFailed(key, last.lsn(), Kind.REDO_FAILED, "the redo service returned "
          + (page == null ? "no page" : page.length + " bytes instead of a page"));
    }
    return page;
  }

  private static ReconstructFailed serviceFailure(Key key, List<Version> run, Throwable cause) {
    long firstLsn = run.get(0).lsn();
    if (cause instanceof RedoFailed f) {
      // The service names the record by its start LSN; the history knows it by its end LSN.
      long at = firstLsn;
      for (Version v : run) {
        if (f.lsn().isValid() && ((Value.PgRecord) v.value()).startLsn() == f.lsn().value()) at = v.lsn();
      }
      return new ReconstructFailed(key, at, Kind.REDO_FAILED, f.reason(), f);
    }
    String what = cause instanceof RedoProcessFailed ? firstLine(cause.getMessage()) : cause.toString();
    return new ReconstructFailed(key, firstLsn, Kind.REDO_UNAVAILABLE, "replaying " + run.size() + " record(s) up to "
        + Lsn.of(run.get(run.size() - 1).lsn()) + ": " + what, cause);
  }

  private static String firstLine(String s) {
    if (s == null) return "no message";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
