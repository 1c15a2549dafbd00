package actors.compute;

import akka.actor.typed.ActorSystem;
import akka.pattern.Patterns;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/**
 * Startup step 2: polls the pageserver until the timeline's {@code last_record_lsn} reaches the
 * LSN the compute starts at, so the basebackup does not wait inside the pageserver. With no LSN to
 * reach (a new timeline, a replica) the pageserver's current {@code last_record_lsn} is the start.
 */
final class PageserverWait {
  /** Short: the pageserver is usually a few records behind the safekeepers and the poll is one cheap GET. */
  private static final Duration FIRST_DELAY = Duration.ofMillis(10);
  private static final Duration MAX_DELAY = Duration.ofSeconds(1);

  private PageserverWait() {}

  /** Completes with the basebackup LSN, or fails after {@code timeout} naming what the pageserver had. */
  static CompletionStage<Lsn> await(ActorSystem<?> system, BasebackupSource source, String tenant, String timeline,
      Lsn target, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return attempt(system, source, tenant, timeline, target, timeout, deadline, FIRST_DELAY);
  }

  /**
   * The same for a read-write compute starting at {@code target}: fails at once if the pageserver
   * already holds WAL beyond it (see {@link HistoricStart}).
   */
  static CompletionStage<Lsn> awaitPrimary(ActorSystem<?> system, BasebackupSource source, String tenant, String timeline,
      Lsn target, Duration timeout) {
    return source.lastRecordLsn(tenant, timeline).handle((last, failure) -> failure == null
            ? HistoricStart.refusal(timeline, target, last) : java.util.Optional.<String>empty())
        .thenCompose(refusal -> refusal.isPresent()
            ? CompletableFuture.<Lsn>failedStage(new IllegalStateException(refusal.get()))
            : await(system, source, tenant, timeline, target, timeout));
  }

  private static CompletionStage<Lsn> attempt(ActorSystem<?> system, BasebackupSource source, String tenant, String timeline,
      Lsn target, Duration timeout, long deadline, Duration delay) {
    return source.lastRecordLsn(tenant, timeline).handle((lsn, failure) -> {
      if (failure == null && lsn.isValid() && !lsn.isBefore(target)) {
        return CompletableFuture.completedStage(target.isValid() ? target : lsn);
      }
      if (System.nanoTime() > deadline) {
        String seen = failure != null ? "last error: " + Failures.rootMessage(failure) : "it has last_record_lsn " + lsn;
        return CompletableFuture.<Lsn>failedStage(new IllegalStateException("the pageserver did not reach LSN "
            + (target.isValid() ? target : "(any)") + " on timeline " + tenant + "/" + timeline + " within " + timeout.toSeconds()
            + " s; " + seen));
      }
      Duration next = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
      return Patterns.after(delay, system.classicSystem().scheduler(), system.executionContext(),
          () -> attempt(system, source, tenant, timeline, target, timeout, deadline, next));
    }).thenCompose(s -> s);
  }
}
