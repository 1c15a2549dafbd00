package actors.proposer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.ClientAuth;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.DataRow;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ParameterStatus;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket.StartupMessage;
import wire.pg.Terminate;

/**
 * The client side of one PostgreSQL connection, without I/O: startup and authentication (trust,
 * cleartext, MD5, SCRAM), then simple queries in order. A query answered with CopyBothResponse
 * (START_WAL_PUSH, START_REPLICATION) turns the connection into a stream of CopyData. After the
 * last plain query the session sends Terminate. An ErrorResponse fails with {@link PgServerError}.
 */
public final class PgClientSession {
  /** What the session produced from one server message. */
  public sealed interface Event {}
  /** A message for the server. */
  public record Send(FrontendMessage message) implements Event {}
  /** One finished query: its rows (text format) and command tag. */
  public record Result(String query, List<DataRow> rows, String tag) implements Event {}
  /** The query switched the connection to COPY BOTH. */
  public record Streaming(String query) implements Event {}
  /** A CopyData payload in COPY BOTH mode. */
  public record Copy(byte[] data) implements Event {}

  private enum State { AUTHENTICATING, STARTING, IDLE, QUERY, COPY, CLOSED }

  private final String server;
  private final StartupMessage startup;
  private final ClientAuth auth;
  private final Deque<String> queries;
  private State state = State.AUTHENTICATING;
  private String current;
  private List<DataRow> rows = new ArrayList<>();
  private String tag = "";
  private String serverVersion = "";

  /** {@code server} names the peer in errors; {@code password} may be null for trust. */
  public PgClientSession(String server, Map<String, String> startupParameters, String password, List<String> queries) {
    this.server = server;
    this.startup = StartupMessage.of(startupParameters);
    this.auth = new ClientAuth(startup.user(), password, new Random());
    this.queries = new ArrayDeque<>(queries);
  }

  /** The first message to send. */
  public StartupMessage startup() {
    return startup;
  }

  /** The server's {@code server_version} parameter, once reported. */
  public String serverVersion() {
    return serverVersion;
  }

  public boolean isStreaming() {
    return state == State.COPY;
  }

  public List<Event> onMessage(BackendMessage m) {
    if (m instanceof ErrorResponse e) {
      String during = current != null ? "query '" + current + "'" : "startup as user " + startup.user();
      throw new PgServerError(server, during, e.fields());
    }
    if (m instanceof wire.pg.NoticeResponse || m instanceof wire.pg.BackendKeyData) return List.of();
    if (m instanceof ParameterStatus p) {
      if (p.name().equals("server_version")) serverVersion = p.value();
      return List.of();
    }
    return switch (state) {
      case AUTHENTICATING -> authenticating(m);
      case STARTING -> {
        expect(m instanceof ReadyForQuery, m);
        yield nextQuery(new ArrayList<>());
      }
      case QUERY -> inQuery(m);
      case COPY -> inCopy(m);
      case IDLE, CLOSED -> throw unexpected(m);
    };
  }

  private List<Event> authenticating(BackendMessage m) {
    expect(m instanceof Authentication, m);
    Optional<FrontendMessage> reply;
    try {
      reply = auth.onRequest((Authentication) m);
    } catch (ProtocolException e) {
      throw new PgServerError(server, "authentication as user " + startup.user(), e.getMessage());
    }
    if (auth.isAuthenticated()) state = State.STARTING;
    return reply.<List<Event>>map(r -> List.of(new Send(r))).orElse(List.of());
  }

  private List<Event> inQuery(BackendMessage m) {
    if (m instanceof DataRow row) {
      rows.add(row);
    } else if (m instanceof CommandComplete c) {
      tag = c.tag();
    } else if (m instanceof CopyResponse.CopyBothResponse) {
      state = State.COPY;
      return List.of(new Streaming(current));
    } else if (m instanceof ReadyForQuery) {
      List<Event> out = new ArrayList<>();
      out.add(new Result(current, List.copyOf(rows), tag));
      return nextQuery(out);
    } else if (!(m instanceof wire.pg.RowDescription) && !(m instanceof wire.pg.EmptyQueryResponse)) {
      throw unexpected(m);
    }
    return List.of();
  }

  private List<Event> inCopy(BackendMessage m) {
    if (m instanceof CopyData d) return List.of(new Copy(d.data()));
    if (m instanceof CopyDone) throw new PgServerError(server, "query '" + current + "'", "the server ended the stream");
    throw unexpected(m);
  }

  private List<Event> nextQuery(List<Event> out) {
    rows = new ArrayList<>();
    tag = "";
    current = queries.poll();
    if (current == null) {
      state = State.CLOSED;
      out.add(new Send(new Terminate()));
    } else {
      state = State.QUERY;
      out.add(new Send(new Query(current)));
    }
    return out;
  }

  private void expect(boolean ok, BackendMessage m) {
    if (!ok) throw unexpected(m);
  }

  private PgServerError unexpected(BackendMessage m) {
    return new PgServerError(server, "state " + state, "unexpected " + m.getClass().getSimpleName());
  }

  /** The server refused something or broke the protocol; names the server, the step and the server's words. */
  public static final class PgServerError extends RuntimeException {
    private final wire.pg.ErrorFields fields;

    PgServerError(String server, String during, wire.pg.ErrorFields fields) {
      super(server + " refused " + during + ": " + fields);
      this.fields = fields;
    }

    PgServerError(String server, String during, String problem) {
      super(server + " failed during " + during + ": " + problem);
      this.fields = null;
    }

    /** The server's SQLSTATE, or null when the failure was not an ErrorResponse. */
    public String sqlState() {
      return fields == null ? null : fields.sqlState();
    }
  }
}
