package wire.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * PostgreSQL's MD5 password scheme: the stored secret is {@code "md5" + md5hex(password + user)};
 * on the wire the client sends {@code "md5" + md5hex(md5hex(password + user) + salt)}.
 */
public final class Md5Auth {
  private Md5Auth() {}

  /** The value PostgreSQL stores in pg_authid.rolpassword for this user and password. */
  public static String stored(String user, String password) {
    return "md5" + md5hex((password + user).getBytes(StandardCharsets.UTF_8));
  }

  /** The PasswordMessage text answering AuthenticationMD5Password. */
  public static String response(String user, String password, byte[] salt) {
    return responseFromStored(stored(user, password), salt);
  }

  /** The expected response computed from a stored "md5…" secret, as the server does. */
  public static String responseFromStored(String stored, byte[] salt) {
    byte[] inner = stored.substring(3).getBytes(StandardCharsets.US_ASCII);
    byte[] salted = new byte[inner.length + salt.length];
    System.arraycopy(inner, 0, salted, 0, inner.length);
    System.arraycopy(salt, 0, salted, inner.length, salt.length);
    return "md5" + md5hex(salted);
  }

  /** Whether {@code text} has the shape of a stored MD5 secret. */
  public static boolean isStored(String text) {
    return text.length() == 35 && text.startsWith("md5") && text.substring(3).chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  private static String md5hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has MD5", e);
    }
  }
}
