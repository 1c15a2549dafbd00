package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The client's chosen SASL mechanism and its first message (for SCRAM, client-first-message). */
public record SaslInitialResponse(String mechanism, byte[] data) implements FrontendMessage {
  public SaslInitialResponse {
    data = data == null ? null : data.clone();
  }

  public static SaslInitialResponse of(String mechanism, String text) {
    return new SaslInitialResponse(mechanism, text.getBytes(StandardCharsets.UTF_8));
  }

  public static SaslInitialResponse decode(PasswordPacket packet) throws ProtocolException {
    MessageReader r = new MessageReader(packet.body(), "SASLInitialResponse");
    String mechanism = r.cstring("mechanism");
    int len = r.int32("data length");
    byte[] data = len == -1 ? null : r.bytes(len, "data");   // -1: no initial response
    r.end();
    return new SaslInitialResponse(mechanism, data);
  }

  /** The initial data, or null when the client sent none. */
  @Override public byte[] data() { return data == null ? null : data.clone(); }

  public String text() { return data == null ? "" : new String(data, StandardCharsets.UTF_8); }

  @Override public byte[] encode() {
    MessageWriter w = MessageWriter.typed(PasswordPacket.TYPE).cstring(mechanism);
    if (data == null) return w.int32(-1).finish();
    return w.int32(data.length).bytes(data).finish();
  }

  @Override public boolean equals(Object o) {
    return o instanceof SaslInitialResponse s && mechanism.equals(s.mechanism) && Arrays.equals(data, s.data);
  }
  @Override public int hashCode() { return mechanism.hashCode() * 31 + Arrays.hashCode(data); }
  @Override public String toString() { return "SaslInitialResponse[" + mechanism + ", " + text() + "]"; }
}
