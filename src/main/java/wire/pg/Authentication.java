package wire.pg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The server's authentication requests ('R'), told apart by a 32-bit code. */
public sealed interface Authentication extends BackendMessage {
  char TYPE = 'R';
  int OK = 0;
  int CLEARTEXT_PASSWORD = 3;
  int MD5_PASSWORD = 5;
  int SASL = 10;
  int SASL_CONTINUE = 11;
  int SASL_FINAL = 12;

  static Authentication decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "Authentication");
    int code = r.int32("code");
    Authentication a;
    switch (code) {
      case OK: a = new Ok(); break;
      case CLEARTEXT_PASSWORD: a = new CleartextPassword(); break;
      case MD5_PASSWORD: a = new Md5Password(r.bytes(4, "salt")); break;
      case SASL: {
        List<String> mechanisms = new ArrayList<>();
        for (String m = r.cstring("mechanism"); !m.isEmpty(); m = r.cstring("mechanism")) mechanisms.add(m);
        a = new Sasl(mechanisms);
        break;
      }
      case SASL_CONTINUE: a = new SaslContinue(r.rest()); break;
      case SASL_FINAL: a = new SaslFinal(r.rest()); break;
      default: throw r.malformed("unsupported authentication code " + code);
    }
    r.end();
    return a;
  }

  record Ok() implements Authentication {
    @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(OK).finish(); }
  }

  record CleartextPassword() implements Authentication {
    @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(CLEARTEXT_PASSWORD).finish(); }
  }

  record Md5Password(byte[] salt) implements Authentication {
    public Md5Password {
      if (salt.length != 4) throw new IllegalArgumentException("MD5 salt must be 4 bytes, got " + salt.length);
      salt = salt.clone();
    }
    @Override public byte[] salt() { return salt.clone(); }
    @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(MD5_PASSWORD).bytes(salt).finish(); }
    @Override public boolean equals(Object o) { return o instanceof Md5Password m && Arrays.equals(salt, m.salt); }
    @Override public int hashCode() { return Arrays.hashCode(salt); }
    @Override public String toString() { return "Md5Password[salt=" + Arrays.toString(salt) + "]"; }
  }

  /** Starts SASL and lists the mechanisms the server offers, e.g. SCRAM-SHA-256. */
  record Sasl(List<String> mechanisms) implements Authentication {
    public Sasl {
      mechanisms = List.copyOf(mechanisms);
    }
    @Override public byte[] encode() {
      MessageWriter w = MessageWriter.typed(TYPE).int32(SASL);
      mechanisms.forEach(w::cstring);
      return w.int8(0).finish();
    }
  }

  /** A SASL challenge; for SCRAM the server-first-message. */
  record SaslContinue(byte[] data) implements Authentication {
    public SaslContinue { data = data.clone(); }
    public static SaslContinue of(String text) { return new SaslContinue(text.getBytes(StandardCharsets.UTF_8)); }
    @Override public byte[] data() { return data.clone(); }
    public String text() { return new String(data, StandardCharsets.UTF_8); }
    @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(SASL_CONTINUE).bytes(data).finish(); }
    @Override public boolean equals(Object o) { return o instanceof SaslContinue m && Arrays.equals(data, m.data); }
    @Override public int hashCode() { return Arrays.hashCode(data); }
    @Override public String toString() { return "SaslContinue[" + text() + "]"; }
  }

  /** The SASL outcome; for SCRAM the server-final-message with the server signature. */
  record SaslFinal(byte[] data) implements Authentication {
    public SaslFinal { data = data.clone(); }
    public static SaslFinal of(String text) { return new SaslFinal(text.getBytes(StandardCharsets.UTF_8)); }
    @Override public byte[] data() { return data.clone(); }
    public String text() { return new String(data, StandardCharsets.UTF_8); }
    @Override public byte[] encode() { return MessageWriter.typed(TYPE).int32(SASL_FINAL).bytes(data).finish(); }
    @Override public boolean equals(Object o) { return o instanceof SaslFinal m && Arrays.equals(data, m.data); }
    @Override public int hashCode() { return Arrays.hashCode(data); }
    @Override public String toString() { return "SaslFinal[" + text() + "]"; }
  }
}
