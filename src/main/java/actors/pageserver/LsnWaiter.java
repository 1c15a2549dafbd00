package actors.pageserver;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import wire.xlog.Lsn;

/**
 * The "sequence wait" of a timeline: readers wait until last_record_lsn reaches an LSN; the one
 * writer advances it. Waits that outlast their timeout fail with {@link LsnTimeout}.
 */
public final class LsnWaiter {
  private volatile long last;
  private final ConcurrentSkipListMap<Long, CopyOnWriteArrayList<CompletableFuture<Long>>> waiting =
      new ConcurrentSkipListMap<>(Long::compareUnsigned);

  public LsnWaiter(long initial) {
    this.last = initial;
  }

  public long last() {
    return last;
  }

  /** Completes with the current last_record_lsn once it is at least {@code lsn}. */
  public CompletionStage<Long> waitFor(long lsn, Duration timeout, String what) {
    long now = last;
    if (Long.compareUnsigned(now, lsn) >= 0) return CompletableFuture.completedFuture(now);
    CompletableFuture<Long> f = new CompletableFuture<>();
    CopyOnWriteArrayList<CompletableFuture<Long>> atLsn = waiting.computeIfAbsent(lsn, k -> new CopyOnWriteArrayList<>());
    atLsn.add(f);
    // A timed-out wait leaves the list, so waits for an LSN never reached do not pile up.
    f.whenComplete((v, e) -> {
      if (e != null) atLsn.remove(f);
    });
    // The writer may have advanced between the check and the registration.
    release();
    return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
      if (e instanceof java.util.concurrent.TimeoutException) {
        return CompletableFuture.failedFuture(new LsnTimeout(what, Lsn.of(lsn), Lsn.of(last), timeout));
      }
      return CompletableFuture.failedFuture(e);
    });
  }

  /** Called by the one writer after new records are visible to readers. */
  public void advance(long lsn) {
    if (Long.compareUnsigned(lsn, last) > 0) last = lsn;
    release();
  }

  private void release() {
    long now = last;
    Map<Long, CopyOnWriteArrayList<CompletableFuture<Long>>> ready = waiting.headMap(now, true);
    for (Long key : ready.keySet()) {
      CopyOnWriteArrayList<CompletableFuture<Long>> fs = waiting.remove(key);
      if (fs != null) fs.forEach(f -> f.complete(now));
    }
  }

  /** A wait for an LSN that the timeline did not reach in time. */
  public static final class LsnTimeout extends RuntimeException {
    public LsnTimeout(String what, Lsn wanted, Lsn last, Duration timeout) {
      super("timed out after " + timeout.toSeconds() + " s waiting for " + what + " to reach " + wanted
          + "; last_record_lsn is " + last);
    }
  }
}
