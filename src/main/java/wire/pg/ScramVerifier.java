package wire.pg;

import java.security.MessageDigest;
import java.util.Random;

/**
 * What a server stores for SCRAM-SHA-256, in PostgreSQL's text form
 * {@code SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>}.
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
  private static final String PREFIX = Scram.MECHANISM + "$";

  public ScramVerifier {
    if (iterations < 1) throw new IllegalArgumentException("SCRAM iterations must be positive, got " + iterations);
    salt = salt.clone();
    storedKey = storedKey.clone();
    serverKey = serverKey.clone();
  }

  /** A verifier with a fresh 16-byte salt and PostgreSQL's default 4096 iterations. */
  public static ScramVerifier fromPassword(String password, Random random) {
    byte[] salt = new byte[Scram.DEFAULT_SALT_LENGTH];
    random.nextBytes(salt);
    return fromPassword(password, salt, Scram.DEFAULT_ITERATIONS);
  }

  public static ScramVerifier fromPassword(String password, byte[] salt, int iterations) {
    byte[] salted = Scram.saltedPassword(password, salt, iterations);
    return new ScramVerifier(iterations, salt, Scram.sha256(Scram.hmac(salted, Scram.CLIENT_KEY)),
        Scram.hmac(salted, Scram.SERVER_KEY));
  }

  /** Parses PostgreSQL's text form, e.g. a pg_authid.rolpassword value. */
  public static ScramVerifier parse(String text) throws ProtocolException {
    String what = "SCRAM verifier";
    if (!text.startsWith(PREFIX)) throw new ProtocolException(new ProtocolError.Malformed(what, "does not start with " + PREFIX));
    String[] parts = text.substring(PREFIX.length()).split("\\$", -1);
    if (parts.length != 2) throw new ProtocolException(new ProtocolError.Malformed(what, "expected two '$'-separated parts"));
    String[] iterSalt = parts[0].split(":", -1);
    String[] keys = parts[1].split(":", -1);
    if (iterSalt.length != 2 || keys.length != 2) {
      throw new ProtocolException(new ProtocolError.Malformed(what, "expected iterations:salt$StoredKey:ServerKey"));
    }
    int iterations;
    try {
      iterations = Integer.parseInt(iterSalt[0]);
    } catch (NumberFormatException e) {
      throw new ProtocolException(new ProtocolError.Malformed(what, "iteration count '" + iterSalt[0] + "' is not a number"));
    }
    if (iterations < 1) throw new ProtocolException(new ProtocolError.Malformed(what, "iteration count " + iterations));
    byte[] stored = Scram.unb64(keys[0], what, "StoredKey");
    byte[] server = Scram.unb64(keys[1], what, "ServerKey");
    if (stored.length != 32 || server.length != 32) throw new ProtocolException(new ProtocolError.Malformed(what, "keys must be 32 bytes"));
    return new ScramVerifier(iterations, Scram.unb64(iterSalt[1], what, "salt"), stored, server);
  }

  @Override public byte[] salt() { return salt.clone(); }
  @Override public byte[] storedKey() { return storedKey.clone(); }
  @Override public byte[] serverKey() { return serverKey.clone(); }

  /** PostgreSQL's text form. */
  public String format() {
    return PREFIX + iterations + ":" + Scram.b64(salt) + "$" + Scram.b64(storedKey) + ":" + Scram.b64(serverKey);
  }

  @Override public boolean equals(Object o) {
    return o instanceof ScramVerifier v && iterations == v.iterations && MessageDigest.isEqual(salt, v.salt)
        && MessageDigest.isEqual(storedKey, v.storedKey) && MessageDigest.isEqual(serverKey, v.serverKey);
  }

  @Override public int hashCode() { return format().hashCode(); }

  /** Shows iterations and salt only: StoredKey and ServerKey let anyone impersonate the server. */
  @Override public String toString() { return "ScramVerifier[" + iterations + ":" + Scram.b64(salt) + "]"; }
}
