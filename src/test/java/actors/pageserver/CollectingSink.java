package actors.pageserver;

import akka.util.ByteString;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * A {@link WalSink} for tests of WAL whose record ends are known (SyntheticWal): keeps every byte
 * it was given, checks that a chunk either continues the last one or goes back over bytes it
 * already has (a new connection) with the same content, and reports last_record_lsn as the last
 * whole record, disk_consistent_lsn the same, and remote_consistent_lsn one record behind.
 */
public final class CollectingSink implements WalSink {
  private final List<Lsn> recordEnds;
  private final Lsn first;
  private byte[] bytes = new byte[1 << 20];
  private Lsn end;
  private int restarts;
  private String problem;
  private volatile TimelineLsns lsns;

  /** A timeline whose WAL so far ends at {@code lastRecord}; {@code recordEnds} ascending. */
  public CollectingSink(Lsn lastRecord, List<Lsn> recordEnds) {
    this.recordEnds = List.copyOf(recordEnds);
    this.first = WalReceiver.streamStart(lastRecord);
    this.end = first;
    this.lsns = new TimelineLsns(lastRecord, lastRecord, lastRecord);
  }

  @Override
  public synchronized CompletionStage<Void> deliver(long startLsn, ByteString chunk) {
    Lsn start = Lsn.of(startLsn);
    if (start.isBefore(first) || start.isAfter(end)) {
      problem = "chunk at " + start + " leaves a gap after " + end + " (stream began at " + first + ")";
      return CompletableFuture.failedFuture(new IllegalStateException(problem));
    }
    if (!start.equals(end)) restarts++;
    int at = (int) start.minus(first);
    byte[] data = chunk.toArray();
    int overlap = (int) Math.min(data.length, end.minus(start));
    if (!Arrays.equals(bytes, at, at + overlap, data, 0, overlap)) {
      problem = "chunk at " + start + " differs from the bytes delivered before";
      return CompletableFuture.failedFuture(new IllegalStateException(problem));
    }
    while (bytes.length < at + data.length) bytes = Arrays.copyOf(bytes, bytes.length * 2);
    System.arraycopy(data, 0, bytes, at, data.length);
    end = Lsn.max(end, start.plus(data.length));
    int i = Collections.binarySearch(recordEnds, end);
    int whole = i >= 0 ? i : -i - 2;   // index of the last record end <= end
    if (whole >= 0) {
      Lsn last = recordEnds.get(whole);
      Lsn behind = whole > 0 ? recordEnds.get(whole - 1) : lsns.remoteConsistentLsn();
      lsns = new TimelineLsns(last, last, behind);
    }
    return CompletableFuture.completedFuture(null);
  }

  public TimelineLsns lsns() {
    return lsns;
  }

  /** The end of the bytes delivered so far. */
  public synchronized Lsn end() {
    return end;
  }

  /** The bytes of [from, to) as delivered. */
  public synchronized byte[] bytes(Lsn from, Lsn to) {
    return Arrays.copyOfRange(bytes, (int) from.minus(first), (int) to.minus(first));
  }

  /** Chunks that went back to an earlier LSN: new connections that resumed at last_record_lsn. */
  public synchronized int restarts() {
    return restarts;
  }

  /** The first thing that was wrong with a delivery, or null. */
  public synchronized String problem() {
    return problem;
  }
}
