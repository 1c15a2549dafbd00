package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A later SASL message from the client (for SCRAM, client-final-message). */
public record SaslResponse(byte[] data) implements FrontendMessage {
  public SaslResponse {
    data = data.clone();
  }

  public static SaslResponse of(String text) {
    return new SaslResponse(text.getBytes(StandardCharsets.UTF_8));
  }

  public static SaslResponse decode(PasswordPacket packet) {
    return new SaslResponse(packet.body());
  }

  @Override public byte[] data() { return data.clone(); }
  public String text() { return new String(data, StandardCharsets.UTF_8); }
  @Override public byte[] encode() { return MessageWriter.typed(PasswordPacket.TYPE).bytes(data).finish(); }
  @Override public boolean equals(Object o) { return o instanceof SaslResponse s && Arrays.equals(data, s.data); }
  @Override public int hashCode() { return Arrays.hashCode(data); }
  @Override public String toString() { return "SaslResponse[" + text() + "]"; }
}
