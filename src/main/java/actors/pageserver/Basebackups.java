package actors.pageserver;

import actors.net.BlockingPgConnection;
import actors.net.PgSession.Outbox;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import store.pgdatadir.Basebackup;
import store.pgdatadir.BasebackupParams;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.xlog.Lsn;

/**
 * Basebackups over the page service: wait until the timeline has the LSN, check it is readable,
 * then stream the tar as CopyData on the blocking executor (each chunk waits for room on the socket).
 */
public final class Basebackups {
  private static final int CHUNK = 256 * 1024;
  private final Executor blocking;

  public Basebackups(Executor blocking) {
    this.blocking = blocking;
  }

  /**
   * {@code basebackup <tenant> <timeline> [<lsn>|latest] [--read-only] [--no-wal-padding]}; the last
   * flag leaves the zeros at the end of the WAL segment out (the client pads it back).
   */
  public record Request(String tenantId, String timelineId, Long lsn, boolean readOnly, boolean noWalPadding) {
    static Request parse(String[] words) {
      if (words.length < 3 || words.length > 6) {
        throw PsError.BAD_REQUEST.failure("usage: basebackup <tenant_id> <timeline_id> [<lsn>|latest] [--read-only] [--no-wal-padding]");
      }
      Long lsn = null;
      boolean readOnly = false, noWalPadding = false;
      for (int i = 3; i < words.length; i++) {
        if (words[i].equals("--read-only")) {
          readOnly = true;
        } else if (words[i].equals("--no-wal-padding")) {
          noWalPadding = true;
        } else if (!words[i].equals("latest")) {
          try {
            lsn = Lsn.parse(words[i]).value();
          } catch (IllegalArgumentException e) {
            throw PsError.BAD_LSN.failure(e.getMessage());
          }
        }
      }
      return new Request(words[1], words[2], lsn, readOnly, noWalPadding);
    }
  }

  /** Checks and waits, then streams; completes when the tar is sent (the caller sends CommandComplete). */
  public CompletionStage<Void> stream(TimelineHandle tl, Request req, BlockingPgConnection conn) {
    Outbox out = conn.outbox();
    long wanted = req.lsn() != null ? req.lsn() : tl.lastRecordLsn();
    if (Long.compareUnsigned(wanted, tl.gcCutoff()) < 0) {
      return CompletableFuture.failedFuture(PsError.BELOW_GC_CUTOFF.failure("basebackup at " + Lsn.of(wanted)
          + " is below the GC cutoff " + Lsn.of(tl.gcCutoff()) + " of timeline " + tl.id()));
    }
    if (Long.compareUnsigned(wanted, tl.info().initdbLsn()) < 0) {
      return CompletableFuture.failedFuture(PsError.BAD_LSN.failure("basebackup at " + Lsn.of(wanted)
          + " is before the timeline's first LSN " + Lsn.of(tl.info().initdbLsn())));
    }
    return tl.waitFor(wanted).thenComposeAsync(last -> {
      try {
        out.send(new CopyResponse.CopyOutResponse(0, List.of())).toCompletableFuture().get();
        try (OutputStream os = new CopyOutStream(conn)) {
          BasebackupParams params = tl.basebackupParams(wanted, req.readOnly());
          Basebackup.write(tl.datadir(wanted), req.noWalPadding() ? params.withoutWalPadding() : params, os);
        }
        out.send(new CopyDone()).toCompletableFuture().get();
        return CompletableFuture.<Void>completedFuture(null);
      } catch (IOException | ExecutionException e) {
        return CompletableFuture.<Void>failedFuture(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.<Void>failedFuture(e);
      }
    }, blocking);
  }

  /** Buffers tar bytes into CopyData messages written straight from the buffer to the connection. */
  private static final class CopyOutStream extends OutputStream {
    private final BlockingPgConnection conn;
    private final byte[] buf = new byte[CHUNK];
    private int used;

    CopyOutStream(BlockingPgConnection conn) {
      this.conn = conn;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == buf.length) flush();
      buf[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (used == buf.length) flush();
        int n = Math.min(len, buf.length - used);
        System.arraycopy(b, off, buf, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (used == 0) return;
      try {
        conn.sendCopyData(buf, 0, used);
      } catch (IOException e) {
        throw new IOException("client went away during basebackup: " + e.getMessage(), e);
      }
      used = 0;
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
