package actors.safekeeper;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import wire.pg.Authentication;
import wire.pg.BackendKeyData;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.DataRow;
import wire.pg.ErrorResponse;
import wire.pg.IdentifySystemResult;
import wire.pg.ParameterStatus;
import wire.pg.PgType;
import wire.pg.ReadyForQuery;
import wire.pg.ReplicationCommand;
import wire.pg.ResultSets;
import wire.pg.RowDescription;
import wire.pg.SqlState;
import wire.pg.StartupPacket.StartupMessage;

/** The safekeeper's answers to simple commands that are not streams: IDENTIFY_SYSTEM, TIMELINE_STATUS, SHOW, SET. */
final class SafekeeperQueries {
  private static final Duration ASK = Duration.ofSeconds(10);
  static final ReadyForQuery READY = ReadyForQuery.IDLE;

  private SafekeeperQueries() {}

  /** The messages of a command's answer (without the final ReadyForQuery). */
  record Result(List<BackendMessage> messages) {
    static Result failure(String sqlState, String message) {
      return new Result(List.of(ErrorResponse.error(sqlState, message)));
    }
  }

  /** What a server sends after a successful startup; what psql and pg_receivewal look for. */
  static List<BackendMessage> greeting(StartupMessage s) {
    return List.of(new Authentication.Ok(),
        new ParameterStatus("server_version", "15.0 (strata safekeeper)"),
        new ParameterStatus("server_encoding", "UTF8"),
        new ParameterStatus("client_encoding", "UTF8"),
        new ParameterStatus("DateStyle", "ISO, MDY"),
        new ParameterStatus("integer_datetimes", "on"),
        new ParameterStatus("standard_conforming_strings", "on"),
        new ParameterStatus("TimeZone", "UTC"),
        new ParameterStatus("application_name", s.parameters().getOrDefault("application_name", "")),
        new BackendKeyData((int) ProcessHandle.current().pid(), (int) System.nanoTime()),
        READY);
  }

  static CompletionStage<Result> answer(ActorSystem<?> system, ActorRef<Timelines.Command> timelines,
      StartupOptions startup, ReplicationCommand command) {
    if (command instanceof ReplicationCommand.Set) return done(new Result(List.of(new CommandComplete("SET"))));
    if (command instanceof ReplicationCommand.Show show) return done(show(show.name()));
    if (command instanceof ReplicationCommand.IdentifySystem) {
      return withStatus(system, timelines, startup, status -> status
          .map(s -> new Result(new IdentifySystemResult(Long.toUnsignedString(s.systemId()), 1,
              startup.wantsFlushPosition() ? s.flushLsn() : s.commitLsn(), null).toMessages()))
          .orElseGet(() -> unknown(startup)));
    }
    if (command instanceof ReplicationCommand.TimelineStatus) {
      return withStatus(system, timelines, startup, status -> new Result(ResultSets.of(
          RowDescription.of(RowDescription.Field.text("flush_lsn", PgType.TEXT), RowDescription.Field.text("commit_lsn", PgType.TEXT)),
          status.map(s -> List.of(DataRow.ofText(s.flushLsn().toString(), s.commitLsn().toString()))).orElse(List.of()),
          "TIMELINE_STATUS")));
    }
    return done(Result.failure(SqlState.FEATURE_NOT_SUPPORTED,
        "a safekeeper does not run " + command.getClass().getSimpleName() + " commands"));
  }

  private static Result show(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "wal_segment_size" -> new Result(ResultSets.single("wal_segment_size", PgType.TEXT, "16MB", "SHOW"));
      case "data_directory_mode" -> new Result(ResultSets.single("data_directory_mode", PgType.TEXT, "0700", "SHOW"));
      case "server_version" -> new Result(ResultSets.single("server_version", PgType.TEXT, "15.0", "SHOW"));
      default -> Result.failure(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
    };
  }

  private static Result unknown(StartupOptions startup) {
    return startup.timeline().isEmpty() ? Result.failure(SqlState.PROTOCOL_VIOLATION, StartupOptions.MISSING_IDS)
        : Result.failure(SkError.UNKNOWN_TIMELINE.sqlState(), "timeline " + startup.timeline().get() + " does not exist on this safekeeper");
  }

  private static CompletionStage<Result> withStatus(ActorSystem<?> system, ActorRef<Timelines.Command> timelines,
      StartupOptions startup, java.util.function.Function<Optional<TimelineStatus>, Result> answer) {
    if (startup.timeline().isEmpty()) return done(unknown(startup));
    return AskPattern.<Timelines.Command, Timelines.Resolved>ask(timelines,
            r -> new Timelines.Resolve(startup.timeline().get(), Optional.empty(), r), ASK, system.scheduler())
        .thenCompose(resolved -> resolved instanceof Timelines.Found f
            ? AskPattern.<TimelineAcceptor.Command, TimelineStatus>ask(f.acceptor(), TimelineAcceptor.GetStatus::new, ASK,
                system.scheduler()).thenApply(Optional::of)
            : CompletableFuture.completedFuture(Optional.<TimelineStatus>empty()))
        .thenApply(answer);
  }

  private static CompletionStage<Result> done(Result r) {
    return CompletableFuture.completedFuture(r);
  }
}
