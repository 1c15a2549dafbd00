package wire.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Random;

/**
 * The server side of SCRAM-SHA-256 without channel binding, checking a client against a stored
 * {@link ScramVerifier}. A pure state machine: {@link #serverFirstMessage} then
 * {@link #serverFinalMessage}; a wrong proof is an {@link ProtocolError.AuthenticationFailed}.
 */
public final class ScramServer {
  private final String user;
  private final ScramVerifier verifier;
  private final String serverNonce;
  private String gs2Header;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  public ScramServer(String user, ScramVerifier verifier, Random random) {
    this(user, verifier, Scram.nonce(random));
  }

  /** With a given nonce: for tests against RFC 7677's example. */
  ScramServer(String user, ScramVerifier verifier, String serverNonce) {
    this.user = user;
    this.verifier = verifier;
    this.serverNonce = serverNonce;
  }

  /** Reads client-first-message (SASLInitialResponse data) and returns server-first-message. */
  public String serverFirstMessage(String clientFirst) throws ProtocolException {
    String what = "SCRAM client-first-message";
    int c1 = clientFirst.indexOf(',');
    int c2 = c1 < 0 ? -1 : clientFirst.indexOf(',', c1 + 1);
    if (c2 < 0) throw malformed(what, "no gs2 header");
    String cbind = clientFirst.substring(0, c1);
    if (cbind.startsWith("p=")) throw malformed(what, "channel binding is not supported");
    if (!cbind.equals("n") && !cbind.equals("y")) throw malformed(what, "bad channel binding flag '" + cbind + "'");
    if (c2 != c1 + 1) throw malformed(what, "authorization identity is not supported");
    gs2Header = clientFirst.substring(0, c2 + 1);
    clientFirstBare = clientFirst.substring(c2 + 1);
    Map<Character, String> attrs = Scram.attributes(clientFirstBare, what);
    if (attrs.containsKey('m')) throw malformed(what, "mandatory extension not supported");
    Scram.require(attrs, 'n', what);   // PostgreSQL ignores it: the user comes from the startup packet
    String clientNonce = Scram.require(attrs, 'r', what);
    if (clientNonce.isEmpty()) throw malformed(what, "empty nonce");
    nonce = clientNonce + serverNonce;
    serverFirst = "r=" + nonce + ",s=" + Scram.b64(verifier.salt()) + ",i=" + verifier.iterations();
    return serverFirst;
  }

  /** Reads client-final-message, checks the proof and returns server-final-message. */
  public String serverFinalMessage(String clientFinal) throws ProtocolException {
    String what = "SCRAM client-final-message";
    if (serverFirst == null) {
      throw new ProtocolException(new ProtocolError.UnexpectedMessage("client-first-message", "client-final-message"));
    }
    int p = clientFinal.lastIndexOf(",p=");
    if (p < 0) throw malformed(what, "attribute p missing");
    String withoutProof = clientFinal.substring(0, p);
    Map<Character, String> attrs = Scram.attributes(clientFinal, what);
    byte[] binding = Scram.unb64(Scram.require(attrs, 'c', what), what, "c");
    if (!new String(binding, StandardCharsets.UTF_8).equals(gs2Header)) throw malformed(what, "channel binding does not match the gs2 header");
    if (!nonce.equals(Scram.require(attrs, 'r', what))) throw malformed(what, "nonce does not match");
    byte[] proof = Scram.unb64(Scram.require(attrs, 'p', what), what, "p");
    if (proof.length != 32) throw malformed(what, "proof must be 32 bytes, got " + proof.length);

    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] clientSignature = Scram.hmac(verifier.storedKey(), authMessage);
    byte[] clientKey = Scram.xor(proof, clientSignature);
    if (!MessageDigest.isEqual(Scram.sha256(clientKey), verifier.storedKey())) {
      throw new ProtocolException(new ProtocolError.AuthenticationFailed(user, "wrong SCRAM proof"));
    }
    return "v=" + Scram.b64(Scram.hmac(verifier.serverKey(), authMessage));
  }

  private static ProtocolException malformed(String what, String problem) {
    return new ProtocolException(new ProtocolError.Malformed(what, problem));
  }
}
