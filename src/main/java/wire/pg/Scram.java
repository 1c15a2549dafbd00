package wire.pg;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SCRAM-SHA-256 primitives shared by client, server and verifier (RFC 5802, RFC 7677). */
final class Scram {
  private Scram() {}

  static final String MECHANISM = "SCRAM-SHA-256";
  /** gs2 header without channel binding; its base64 "biws" is the c= attribute of client-final. */
  static final String GS2_HEADER = "n,,";
  static final String CLIENT_KEY = "Client Key";
  static final String SERVER_KEY = "Server Key";
  static final int DEFAULT_ITERATIONS = 4096;
  static final int DEFAULT_SALT_LENGTH = 16;
  static final int NONCE_BYTES = 18;

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always has HmacSHA256", e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    return hmac(key, data.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** Hi(): PBKDF2 with HMAC-SHA-256 and one output block. */
  static byte[] saltedPassword(String password, byte[] salt, int iterations) {
    byte[] key = normalize(password).getBytes(StandardCharsets.UTF_8);
    byte[] first = new byte[salt.length + 4];
    System.arraycopy(salt, 0, first, 0, salt.length);
    first[salt.length + 3] = 1;   // INT(1): block number
    byte[] u = hmac(key, first);
    byte[] result = u.clone();
    for (int i = 1; i < iterations; i++) {
      u = hmac(key, u);
      for (int j = 0; j < result.length; j++) result[j] ^= u[j];
    }
    return result;
  }

  /**
   * PostgreSQL applies SASLprep to passwords. ASCII passwords are unchanged by it; for others this
   * applies its main step, NFKC normalization, and skips the rarely relevant prohibited-character
   * checks (PostgreSQL itself falls back to the raw bytes when those fail).
   */
  static String normalize(String password) {
    for (int i = 0; i < password.length(); i++) {
      if (password.charAt(i) >= 0x80) return Normalizer.normalize(password, Normalizer.Form.NFKC);
    }
    return password;
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) out[i] = (byte) (a[i] ^ b[i]);
    return out;
  }

  static String b64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }

  static byte[] unb64(String text, String message, String attribute) throws ProtocolException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(new ProtocolError.Malformed(message, "attribute " + attribute + " is not base64"));
    }
  }

  /**
   * The attributes of a SCRAM message ({@code a=value,b=value}) in order. Values may contain '=';
   * they cannot contain ','.
   */
  static Map<Character, String> attributes(String text, String message) throws ProtocolException {
    Map<Character, String> out = new LinkedHashMap<>();
    for (String part : text.split(",", -1)) {
      if (part.length() < 2 || part.charAt(1) != '=' || !Character.isLetter(part.charAt(0))) {
        throw new ProtocolException(new ProtocolError.Malformed(message, "bad attribute '" + part + "'"));
      }
      if (out.put(part.charAt(0), part.substring(2)) != null) {
        throw new ProtocolException(new ProtocolError.Malformed(message, "attribute " + part.charAt(0) + " given twice"));
      }
    }
    return out;
  }

  static String require(Map<Character, String> attrs, char name, String message) throws ProtocolException {
    String v = attrs.get(name);
    if (v == null) throw new ProtocolException(new ProtocolError.Malformed(message, "attribute " + name + " missing"));
    return v;
  }

  /** A printable nonce without ',' (base64 has none). */
  static String nonce(java.util.Random random) {
    byte[] raw = new byte[NONCE_BYTES];
    random.nextBytes(raw);
    return b64(raw);
  }
}
