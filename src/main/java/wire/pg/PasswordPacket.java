package wire.pg;

import java.util.Arrays;

/**
 * A frontend 'p' message as a server receives it. PasswordMessage, SASLInitialResponse and
 * SASLResponse share the type byte; only the authentication exchange in progress says which one it
 * is, so the decoder hands over the body and {@link PasswordMessage#decode},
 * {@link SaslInitialResponse#decode} or {@link SaslResponse#decode} read it.
 */
public record PasswordPacket(byte[] body) implements FrontendMessage {
  public static final char TYPE = 'p';

  public PasswordPacket {
    body = body.clone();
  }

  @Override public byte[] body() { return body.clone(); }
  @Override public byte[] encode() { return MessageWriter.typed(TYPE).bytes(body).finish(); }
  @Override public boolean equals(Object o) { return o instanceof PasswordPacket p && Arrays.equals(body, p.body); }
  @Override public int hashCode() { return Arrays.hashCode(body); }
  @Override public String toString() { return "PasswordPacket[" + body.length + " bytes]"; }
}
