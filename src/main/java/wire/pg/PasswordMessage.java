package wire.pg;

/** A password in answer to AuthenticationCleartextPassword, or the "md5…" hash for AuthenticationMD5Password. */
public record PasswordMessage(String password) implements FrontendMessage {
  public static PasswordMessage decode(PasswordPacket packet) throws ProtocolException {
    MessageReader r = new MessageReader(packet.body(), "PasswordMessage");
    PasswordMessage m = new PasswordMessage(r.cstring("password"));
    r.end();
    return m;
  }

  @Override public byte[] encode() { return MessageWriter.typed(PasswordPacket.TYPE).cstring(password).finish(); }

  @Override public String toString() { return "PasswordMessage[***]"; }
}
