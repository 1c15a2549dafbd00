package wire.pg;

/** A simple query: one or more SQL statements, or a replication command. */
public record Query(String sql) implements FrontendMessage {
  public static final char TYPE = 'Q';

  static Query decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "Query");
    Query q = new Query(r.cstring("query string"));
    r.end();
    return q;
  }

  @Override public byte[] encode() { return MessageWriter.typed(TYPE).cstring(sql).finish(); }
}
