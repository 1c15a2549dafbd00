package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScramTest {
  // RFC 7677 section 3: user "user", password "pencil".
  private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
  private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  private static final String SERVER_FIRST = "r=" + CLIENT_NONCE + SERVER_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  private static final String CLIENT_FINAL = "c=biws,r=" + CLIENT_NONCE + SERVER_NONCE + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  @Test
  void clientProducesTheMessagesOfRfc7677() throws Exception {
    ScramClient client = new ScramClient("user", "pencil", CLIENT_NONCE);
    assertEquals("n,,n=user,r=" + CLIENT_NONCE, client.clientFirstMessage());
    assertEquals(CLIENT_FINAL, client.clientFinalMessage(SERVER_FIRST));
    client.verifyServerFinal(SERVER_FINAL);
    assertTrue(client.isVerified());
  }

  @Test
  void serverProducesTheMessagesOfRfc7677() throws Exception {
    ScramServer server = new ScramServer("user", ScramVerifier.fromPassword("pencil", SALT, 4096), SERVER_NONCE);
    assertEquals(SERVER_FIRST, server.serverFirstMessage("n,,n=user,r=" + CLIENT_NONCE));
    assertEquals(SERVER_FINAL, server.serverFinalMessage(CLIENT_FINAL));
  }

  @Test
  void serverRejectsAProofMadeWithTheWrongPassword() throws Exception {
    Random random = new Random(1);
    ScramServer server = new ScramServer("u", ScramVerifier.fromPassword("right", random), random);
    ScramClient client = new ScramClient("wrong", random);
    String serverFirst = server.serverFirstMessage(client.clientFirstMessage());
    ProtocolException e = assertThrows(ProtocolException.class, () -> server.serverFinalMessage(client.clientFinalMessage(serverFirst)));
    assertInstanceOf(ProtocolError.AuthenticationFailed.class, e.error());
    assertEquals("28P01", e.error().sqlState());
  }

  @Test
  void clientRejectsAServerThatDoesNotKnowTheVerifier() throws Exception {
    Random random = new Random(2);
    ScramServer impostor = new ScramServer("u", ScramVerifier.fromPassword("other", random), random);
    ScramClient client = new ScramClient("right", random);
    String serverFirst = impostor.serverFirstMessage(client.clientFirstMessage());
    String clientFinal = client.clientFinalMessage(serverFirst);
    // the impostor cannot check the proof, so it makes up a signature
    String forged = "v=" + Base64.getEncoder().encodeToString(new byte[32]);
    ProtocolException e = assertThrows(ProtocolException.class, () -> client.verifyServerFinal(forged));
    assertInstanceOf(ProtocolError.AuthenticationFailed.class, e.error());
    assertThrows(ProtocolException.class, () -> impostor.serverFinalMessage(clientFinal));
  }

  @Test
  void serverRefusesChannelBindingAuthzidAndTamperedNonces() throws Exception {
    ScramVerifier v = ScramVerifier.fromPassword("pw", new Random(3));
    assertMalformed(() -> new ScramServer("u", v, new Random(4)).serverFirstMessage("p=tls-server-end-point,,n=,r=abc"));
    assertMalformed(() -> new ScramServer("u", v, new Random(4)).serverFirstMessage("n,a=admin,n=,r=abc"));
    assertMalformed(() -> new ScramServer("u", v, new Random(4)).serverFirstMessage("n,,n=,r="));
    assertMalformed(() -> new ScramServer("u", v, new Random(4)).serverFirstMessage("garbage"));
    ScramServer server = new ScramServer("u", v, new Random(4));
    ScramClient client = new ScramClient("pw", new Random(5));
    String clientFinal = client.clientFinalMessage(server.serverFirstMessage(client.clientFirstMessage()));
    assertMalformed(() -> server.serverFinalMessage(clientFinal.replace("r=", "r=x")));
    assertMalformed(() -> server.serverFinalMessage(clientFinal.replace("c=biws", "c=eSws")));
  }

  @Test
  void clientRefusesAServerNonceThatDoesNotExtendItsOwn() throws Exception {
    ScramClient client = new ScramClient("pw", new Random(6));
    client.clientFirstMessage();
    assertMalformed(() -> client.clientFinalMessage("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
  }

  @Test
  void verifierTextRoundTripsAndRejectsGarbage() throws Exception {
    ScramVerifier v = ScramVerifier.fromPassword("pencil", SALT, 4096);
    String text = v.format();
    assertTrue(text.startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"), text);
    assertEquals(v, ScramVerifier.parse(text));
    assertMalformed(() -> ScramVerifier.parse("md5abc"));
    assertMalformed(() -> ScramVerifier.parse("SCRAM-SHA-256$x:AAAA$AAAA:AAAA"));
    assertMalformed(() -> ScramVerifier.parse("SCRAM-SHA-256$4096:AAAA$AAAA:AAAA"));
    assertMalformed(() -> ScramVerifier.parse("SCRAM-SHA-256$4096:AAAA"));
  }

  @Test
  void md5ResponseMatchesPostgresFormula() {
    // the formula from PostgreSQL's docs, computed here with the JDK directly
    String stored = Md5Auth.stored("alice", "secret");
    assertTrue(Md5Auth.isStored(stored));
    byte[] salt = {1, 2, 3, 4};
    assertEquals(Md5Auth.responseFromStored(stored, salt), Md5Auth.response("alice", "secret", salt));
    assertEquals("md5" + md5hex(md5hex("secretalice") + "\u0001\u0002\u0003\u0004"), Md5Auth.response("alice", "secret", salt));
  }

  private static String md5hex(String s) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertMalformed(Call call) {
    ProtocolException e = assertThrows(ProtocolException.class, call::run);
    assertInstanceOf(ProtocolError.Malformed.class, e.error(), e.getMessage());
  }
}
