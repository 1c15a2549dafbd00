package wire.pg;

/** A run-time parameter the client should know, e.g. server_version or integer_datetimes. */
public record ParameterStatus(String name, String value) implements BackendMessage {
  public static final char TYPE = 'S';

  static ParameterStatus decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "ParameterStatus");
    ParameterStatus p = new ParameterStatus(r.cstring("name"), r.cstring("value"));
    r.end();
    return p;
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).cstring(name).cstring(value).finish(); }
}
