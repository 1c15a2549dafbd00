package store.remote;

import akka.actor.typed.Scheduler;
import akka.stream.StreamTcpException;
import akka.stream.alpakka.s3.S3Exception;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Runs one object-store call with retries: transient failures (5xx, 408/429, connection errors,
 * timeouts) are tried again after the policy's backoff, anything else fails at once. Every failure
 * that leaves this class is an {@link ObjectStoreException} naming the call.
 */
final class Retries {
  private static final Logger log = LoggerFactory.getLogger(Retries.class);

  private final RetryPolicy policy;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor executor;

  Retries(RetryPolicy policy, Scheduler scheduler, ExecutionContextExecutor executor) {
    this.policy = policy;
    this.scheduler = scheduler;
    this.executor = executor;
  }

  /** {@code what} names the call for messages, e.g. "upload s3://strata/wal/t/tl/seg". */
  <T> CompletionStage<T> run(String what, Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(what, call, 1, result);
    return result;
  }

  private <T> void attempt(String what, Supplier<CompletionStage<T>> call, int n, CompletableFuture<T> result) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(value);
        return;
      }
      Throwable cause = unwrap(error);
      boolean again = isTransient(cause);
      if (!again || n >= policy.maxAttempts()) {
        String why = again ? "failed after " + n + " attempts" : "failed";
        result.completeExceptionally(new ObjectStoreException(what + " " + why + ": " + describe(cause), cause, again));
        return;
      }
      var delay = policy.delayBefore(n + 1);
      log.warn("object store call failed, retrying call=\"{}\" attempt={} delay_ms={} error=\"{}\"", what, n, delay.toMillis(), describe(cause));
      scheduler.scheduleOnce(delay, () -> attempt(what, call, n + 1, result), executor);
    });
  }

  static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
    return e;
  }

  /** Worth another try: the server or the network may recover. */
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof S3Exception) {
        int status = ((S3Exception) t).statusCode().intValue();
        return status >= 500 || status == 408 || status == 429;
      }
      if (t instanceof StreamTcpException || t instanceof TimeoutException) return true;
      if (t instanceof IOException && !(t instanceof java.nio.file.NoSuchFileException)) return true;
      if (t.getClass().getName().startsWith("akka.http.")) return true;   // connection closed mid-request and kin
      if (t.getCause() == t) break;
    }
    return false;
  }

  static String describe(Throwable e) {
    if (e instanceof S3Exception) {
      S3Exception s3 = (S3Exception) e;
      return "HTTP " + s3.statusCode().intValue() + " " + s3.code() + " " + s3.message();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
