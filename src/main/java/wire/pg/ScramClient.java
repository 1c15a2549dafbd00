package wire.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;

/**
 * The client side of SCRAM-SHA-256 without channel binding, as libpq does it: an empty user name
 * (PostgreSQL takes the user from the startup packet), then the proof, then a check of the
 * server's signature. A pure state machine: call the three steps in order.
 */
public final class ScramClient {
  private final String user;
  private final String password;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] expectedServerSignature;
  private boolean verified;

  public ScramClient(String password, Random random) {
    this("", password, Scram.nonce(random));
  }

  /** With a user name and a given nonce: for tests against RFC 7677's example. */
  ScramClient(String user, String password, String clientNonce) {
    this.user = user.replace("=", "=3D").replace(",", "=2C");
    this.password = password;
    this.clientNonce = clientNonce;
  }

  /** client-first-message, the data of the SASLInitialResponse. */
  public String clientFirstMessage() {
    clientFirstBare = "n=" + user + ",r=" + clientNonce;
    return Scram.GS2_HEADER + clientFirstBare;
  }

  /** client-final-message for the server-first-message in AuthenticationSASLContinue. */
  public String clientFinalMessage(String serverFirst) throws ProtocolException {
    if (clientFirstBare == null) throw unexpected("server-first-message before client-first-message");
    String what = "SCRAM server-first-message";
    Map<Character, String> attrs = Scram.attributes(serverFirst, what);
    if (attrs.containsKey('m')) throw new ProtocolException(new ProtocolError.Malformed(what, "mandatory extension not supported"));
    String nonce = Scram.require(attrs, 'r', what);
    if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
      throw new ProtocolException(new ProtocolError.Malformed(what, "nonce does not extend the client nonce"));
    }
    byte[] salt = Scram.unb64(Scram.require(attrs, 's', what), what, "s");
    int iterations;
    try {
      iterations = Integer.parseInt(Scram.require(attrs, 'i', what));
    } catch (NumberFormatException e) {
      throw new ProtocolException(new ProtocolError.Malformed(what, "iteration count is not a number"));
    }
    if (iterations < 1) throw new ProtocolException(new ProtocolError.Malformed(what, "iteration count " + iterations));

    String withoutProof = "c=" + Scram.b64(Scram.GS2_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + nonce;
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] salted = Scram.saltedPassword(password, salt, iterations);
    byte[] clientKey = Scram.hmac(salted, Scram.CLIENT_KEY);
    byte[] clientSignature = Scram.hmac(Scram.sha256(clientKey), authMessage);
    expectedServerSignature = Scram.hmac(Scram.hmac(salted, Scram.SERVER_KEY), authMessage);
    return withoutProof + ",p=" + Scram.b64(Scram.xor(clientKey, clientSignature));
  }

  /** Checks the server-final-message: only a server that knows the verifier can produce it. */
  public void verifyServerFinal(String serverFinal) throws ProtocolException {
    if (expectedServerSignature == null) throw unexpected("server-final-message before client-final-message");
    String what = "SCRAM server-final-message";
    Map<Character, String> attrs = Scram.attributes(serverFinal, what);
    if (attrs.containsKey('e')) throw new ProtocolException(new ProtocolError.AuthenticationFailed("", "server says " + attrs.get('e')));
    byte[] signature = Scram.unb64(Scram.require(attrs, 'v', what), what, "v");
    if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
      throw new ProtocolException(new ProtocolError.AuthenticationFailed("", "server signature does not match: the server does not know the password"));
    }
    verified = true;
  }

  /** True once the server proved it knows the password. */
  public boolean isVerified() {
    return verified;
  }

  private static ProtocolException unexpected(String what) {
    return new ProtocolException(new ProtocolError.UnexpectedMessage("the next SCRAM step", what));
  }
}
