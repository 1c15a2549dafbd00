package wire.pg;

/**
 * Everything a peer can get wrong on a PostgreSQL connection, each with the SQLSTATE a server
 * answers with. Decoders, the command parser and the authentication state machines report these
 * inside a {@link ProtocolException}; nothing else escapes them.
 */
public sealed interface ProtocolError {
  /** Human-readable, names the thing and the value. */
  String message();

  /** The SQLSTATE for an ErrorResponse about this failure. */
  String sqlState();

  /** The length word of a frame is larger than the limit for its type. */
  record FrameTooLarge(char type, long length, long limit) implements ProtocolError {
    public String message() {
      return "frame length " + length + " over limit " + limit + " for message type " + Names.type(type);
    }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  /** The length word is smaller than the length word itself (or than a startup packet's code). */
  record FrameTooShort(char type, long length, int minimum) implements ProtocolError {
    public String message() {
      return "frame length " + length + " under minimum " + minimum + " for message type " + Names.type(type);
    }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  record UnknownMessageType(char type) implements ProtocolError {
    public String message() { return "unknown message type " + Names.type(type); }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  /** A body ended before a field did. */
  record Truncated(String message, String field) implements ProtocolError {
    public String message() { return "truncated " + message + " " + field; }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  /** A body is complete but its content is not valid. */
  record Malformed(String message, String problem) implements ProtocolError {
    public String message() { return "malformed " + message + ": " + problem; }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  record UnsupportedProtocolVersion(int major, int minor) implements ProtocolError {
    public String message() {
      return "unsupported frontend protocol " + major + "." + minor + ": server supports 3.0 to 3.0";
    }
    public String sqlState() { return SqlState.FEATURE_NOT_SUPPORTED; }
  }

  /** A query on a replication or service connection that names no command this parser knows. */
  record UnknownCommand(String command) implements ProtocolError {
    public String message() { return "unknown command '" + command + "'"; }
    public String sqlState() { return SqlState.SYNTAX_ERROR; }
  }

  /** A known command with arguments that do not parse. */
  record CommandSyntax(String command, String problem) implements ProtocolError {
    public String message() { return "syntax error in " + command + ": " + problem; }
    public String sqlState() { return SqlState.SYNTAX_ERROR; }
  }

  /** A well-formed request for something Strata does not do, e.g. logical replication. */
  record Unsupported(String what) implements ProtocolError {
    public String message() { return what + " is not supported"; }
    public String sqlState() { return SqlState.FEATURE_NOT_SUPPORTED; }
  }

  /** Wrong password, a forged SCRAM proof, or a method the other side cannot do. */
  record AuthenticationFailed(String user, String reason) implements ProtocolError {
    public String message() {
      return "password authentication failed for user \"" + user + "\": " + reason;
    }
    public String sqlState() { return SqlState.INVALID_PASSWORD; }
  }

  /** The peer sent a valid message at a point where it makes no sense. */
  record UnexpectedMessage(String expected, String got) implements ProtocolError {
    public String message() { return "unexpected " + got + " while waiting for " + expected; }
    public String sqlState() { return SqlState.PROTOCOL_VIOLATION; }
  }

  /** Small helpers for messages; not part of the API. */
  final class Names {
    private Names() {}

    static String type(char type) {
      if (type == 0) return "startup packet";
      if (type >= 0x20 && type < 0x7f) return "'" + type + "'";
      return String.format("0x%02x", (int) type);
    }
  }
}
