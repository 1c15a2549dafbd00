package actors.compute;

import actors.proposer.BlockingQuery;
import actors.proposer.PgClientSession;
import actors.proposer.ProposerSettings.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.DataRow;
import wire.pg.DecoderLimits;
import wire.pg.PgDecoder;
import wire.pg.PgType;
import wire.pg.ProtocolException;
import wire.pg.ReadyForQuery;
import wire.pg.RowDescription;
import wire.xlog.Lsn;

/**
 * compute_ctl's fast check before a primary starts: ask every safekeeper for TIMELINE_STATUS.
 * When a majority answers with one and the same flush_lsn and commit_lsn, equal to each other, that
 * LSN is where the timeline ends and a full sync-safekeepers (an election, a vote fsync, an append
 * round) has nothing to agree on. When every safekeeper answers and none has WAL of the timeline,
 * the answer is "no WAL" (an invalid LSN: the pageserver's latest), as the full sync's would be.
 * Any other outcome (a safekeeper down or slow, WAL not yet committed, answers that differ) means
 * "run the full sync"; the check never fails a start by itself.
 */
public final class SafekeeperFastCheck {
  /**
   * Only a safekeeper that hangs makes the check wait this long (one that is down refuses at once,
   * and a majority that agrees ends the check early); generous, as a busy machine answers slowly.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** One safekeeper's answer; a safekeeper without the timeline has no WAL: both invalid. */
  record Answer(Lsn flush, Lsn commit) {
    static final Answer NO_WAL = new Answer(Lsn.INVALID, Lsn.INVALID);
  }

  private SafekeeperFastCheck() {}

  /**
   * The agreed LSN, or empty when the full sync must run; never completes exceptionally. It
   * completes as soon as the answers so far settle it (a majority agreeing), else when all are in.
   */
  public static CompletionStage<Optional<Lsn>> run(Executor blocking, List<Endpoint> safekeepers, String tenantId, String timelineId) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", "strata");
    params.put("application_name", "compute_ctl");
    params.put("options", "-c tenant_id=" + tenantId + " timeline_id=" + timelineId);
    CompletableFuture<Optional<Lsn>> result = new CompletableFuture<>();
    List<Optional<Answer>> answers = new ArrayList<>();
    for (Endpoint sk : safekeepers) {
      CompletableFuture.supplyAsync(() -> ask(sk, params), blocking).thenAccept(a -> {
        synchronized (answers) {
          answers.add(a);
          Optional<Lsn> lsn = agreed(answers, safekeepers.size());
          if (lsn.isPresent() || answers.size() == safekeepers.size()) result.complete(lsn);
        }
      });
    }
    return result;
  }

  /**
   * The LSN to start at, from the answers so far of {@code safekeepers} asked (an empty answer: it
   * could not give one), or empty for "not settled: run the full sync".
   */
  static Optional<Lsn> agreed(List<Optional<Answer>> answers, int safekeepers) {
    List<Answer> got = answers.stream().flatMap(Optional::stream).toList();
    if (got.size() < safekeepers / 2 + 1) return Optional.empty();
    Answer first = got.get(0);
    if (!got.stream().allMatch(first::equals) || !first.flush().equals(first.commit())) return Optional.empty();
    if (first.equals(Answer.NO_WAL)) {
      // a silent safekeeper could hold WAL that a full sync would recover: "nothing anywhere" needs every answer
      return got.size() == safekeepers ? Optional.of(Lsn.INVALID) : Optional.empty();
    }
    return Optional.of(first.flush());
  }

  /** One safekeeper's answer, or empty when it could not give one in time (down, slow, an error). */
  private static Optional<Answer> ask(Endpoint sk, Map<String, String> params) {
    try {
      return answer(BlockingQuery.run(sk.host(), sk.port(), params, null, List.of("TIMELINE_STATUS"), TIMEOUT));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs a canned safekeeper answer through the check's decoding (no socket), so that a fresh
   * JVM's first check does not pay for loading and interpreting that code; returns the LSN read.
   */
  static Lsn rehearse() throws ProtocolException {
    PgClientSession session = new PgClientSession("warm-up", Map.of("user", "strata"), null, List.of("TIMELINE_STATUS"));
    session.startup().encode();
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    for (BackendMessage m : List.of(new Authentication.Ok(), ReadyForQuery.IDLE,
        RowDescription.of(RowDescription.Field.text("flush_lsn", PgType.TEXT), RowDescription.Field.text("commit_lsn", PgType.TEXT)),
        DataRow.ofText("0/1000028", "0/1000028"), new CommandComplete("TIMELINE_STATUS"), ReadyForQuery.IDLE)) {
      server.writeBytes(m.encode());
    }
    List<PgClientSession.Result> results = new ArrayList<>();
    for (BackendMessage m : PgDecoder.forClient(DecoderLimits.DEFAULT).feed(server.toByteArray())) {
      for (PgClientSession.Event e : session.onMessage(m)) {
        if (e instanceof PgClientSession.Send send) send.message().encode();
        if (e instanceof PgClientSession.Result r) results.add(r);
      }
    }
    return answer(results).orElseThrow().flush();
  }

  private static Optional<Answer> answer(List<PgClientSession.Result> results) {
    if (results.size() != 1 || results.get(0).rows().size() > 1) return Optional.empty();
    if (results.get(0).rows().isEmpty()) return Optional.of(Answer.NO_WAL);
    var row = results.get(0).rows().get(0);
    return Optional.of(new Answer(Lsn.parse(row.text(0)), Lsn.parse(row.text(1))));
  }
}
