package actors.net;

import akka.NotUsed;
import akka.stream.javadsl.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import wire.pg.Authentication;
import wire.pg.BackendKeyData;
import wire.pg.BackendMessage;
import wire.pg.DataRow;
import wire.pg.EmptyQueryResponse;
import wire.pg.EncryptionResponse;
import wire.pg.ErrorField;
import wire.pg.ErrorFields;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ParameterStatus;
import wire.pg.PasswordPacket;
import wire.pg.PgType;
import wire.pg.ProtocolError;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.ResultSets;
import wire.pg.RowDescription;
import wire.pg.ServerAuth;
import wire.pg.SqlState;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

/**
 * A test server built only from the server-side codecs: it authenticates with the method chosen
 * per user, answers {@code select N} with one int4 row and anything else with a 42601 error.
 */
final class TinyPgServer {
  private TinyPgServer() {}

  /** A session flow for {@link PgTcp#bind}; {@code auth} picks the method from the user name. */
  static Flow<FrontendMessage, BackendMessage, NotUsed> session(Function<String, ServerAuth> auth) {
    return Flow.of(FrontendMessage.class)
        .takeWhile(m -> !(m instanceof Terminate))
        .statefulMapConcat(() -> {
          Session s = new Session(auth);
          return s::onMessage;
        })
        // a FATAL error is the last thing a server says on a connection
        .takeWhile(m -> !(m instanceof ErrorResponse e && "FATAL".equals(e.fields().severity())), true);
  }

  private static final class Session {
    private final Function<String, ServerAuth> authFor;
    private ServerAuth auth;
    private boolean ready;

    Session(Function<String, ServerAuth> authFor) {
      this.authFor = authFor;
    }

    List<BackendMessage> onMessage(FrontendMessage m) throws ProtocolException {
      if (m instanceof StartupPacket.SslRequest || m instanceof StartupPacket.GssEncRequest) return List.of(EncryptionResponse.REFUSED);
      if (m instanceof StartupPacket.StartupMessage startup) {
        auth = authFor.apply(startup.user());
        return step(auth.start());
      }
      if (m instanceof PasswordPacket p && auth != null && !ready) return step(auth.onPassword(p));
      if (m instanceof Query q && ready) return answer(q.sql().trim());
      throw new ProtocolException(new ProtocolError.UnexpectedMessage(ready ? "a query" : "authentication", m.getClass().getSimpleName()));
    }

    private List<BackendMessage> step(ServerAuth.Step step) {
      if (step instanceof ServerAuth.Continue c) return List.of(c.request());
      List<BackendMessage> out = new ArrayList<>(((ServerAuth.Done) step).messages());
      out.add(new ParameterStatus("server_version", "15.18"));
      out.add(new ParameterStatus("server_encoding", "UTF8"));
      out.add(new ParameterStatus("client_encoding", "UTF8"));
      out.add(new ParameterStatus("DateStyle", "ISO, MDY"));
      out.add(new ParameterStatus("integer_datetimes", "on"));
      out.add(new ParameterStatus("standard_conforming_strings", "on"));
      out.add(new ParameterStatus("TimeZone", "UTC"));
      out.add(new BackendKeyData(4242, 0x5eed));
      out.add(ReadyForQuery.IDLE);
      ready = true;
      return out;
    }

    private List<BackendMessage> answer(String sql) {
      List<BackendMessage> out = new ArrayList<>();
      String lower = sql.toLowerCase().replaceAll(";$", "");
      if (lower.isEmpty()) {
        out.add(new EmptyQueryResponse());
      } else if (lower.matches("select \\d+")) {
        RowDescription columns = RowDescription.of(RowDescription.Field.text("?column?", PgType.INT4));
        out.addAll(ResultSets.select(columns, List.of(DataRow.ofText(lower.substring(7)))));
      } else {
        out.add(new ErrorResponse(ErrorFields.error(SqlState.SYNTAX_ERROR, "tiny server cannot run \"" + sql + "\"")
            .with(ErrorField.HINT, "Try select 1.")
            .with(ErrorField.FILE, "TinyPgServer.java")
            .with(ErrorField.LINE, "99")
            .with(ErrorField.ROUTINE, "answer")));
      }
      out.add(ReadyForQuery.IDLE);
      return out;
    }
  }
}
