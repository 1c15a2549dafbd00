package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ServerAuth and ClientAuth talking to each other through encoded bytes and the decoders. */
class AuthExchangeTest {
  private final Random random = new Random(5);

  /** Runs the exchange; returns every message the server sent. */
  private List<Authentication> exchange(ServerAuth server, ClientAuth client) throws ProtocolException {
    PgDecoder<FrontendMessage> atServer = PgDecoder.forServer(DecoderLimits.DEFAULT);
    PgDecoder<BackendMessage> atClient = PgDecoder.forClient(DecoderLimits.DEFAULT);
    atServer.feed(StartupPacket.StartupMessage.of(Map.of("user", "alice")).encode());
    List<Authentication> sent = new ArrayList<>();
    ServerAuth.Step step = server.start();
    while (true) {
      List<Authentication> out = step instanceof ServerAuth.Continue c ? List.of(c.request()) : ((ServerAuth.Done) step).messages();
      Optional<FrontendMessage> reply = Optional.empty();
      for (Authentication a : out) {
        sent.add(a);
        reply = client.onRequest((Authentication) atClient.feed(a.encode()).get(0));
      }
      if (step instanceof ServerAuth.Done) return sent;
      step = server.onPassword((PasswordPacket) atServer.feed(reply.orElseThrow().encode()).get(0));
    }
  }

  @Test
  void everyMethodAuthenticatesTheRightPassword() throws Exception {
    ScramVerifier verifier = ScramVerifier.fromPassword("pw", random);
    for (ServerAuth server : List.of(ServerAuth.trust(), ServerAuth.cleartext("alice", "pw"), ServerAuth.md5("alice", "pw", random),
        ServerAuth.md5("alice", Md5Auth.stored("alice", "pw"), random), ServerAuth.scram("alice", verifier, random))) {
      ClientAuth client = new ClientAuth("alice", "pw", random);
      List<Authentication> sent = exchange(server, client);
      assertInstanceOf(Authentication.Ok.class, sent.get(sent.size() - 1), server.method().name());
      assertTrue(client.isAuthenticated());
    }
  }

  @Test
  void everyPasswordMethodRejectsAWrongPassword() {
    ScramVerifier verifier = ScramVerifier.fromPassword("pw", random);
    for (ServerAuth server : List.of(ServerAuth.cleartext("alice", "pw"), ServerAuth.md5("alice", "pw", random),
        ServerAuth.scram("alice", verifier, random))) {
      ProtocolException e = assertThrows(ProtocolException.class, () -> exchange(server, new ClientAuth("alice", "nope", random)));
      assertInstanceOf(ProtocolError.AuthenticationFailed.class, e.error(), server.method().name());
      assertEquals("FATAL", e.toErrorResponse().fields().severity());
      assertEquals("28P01", e.toErrorResponse().fields().sqlState());
    }
  }

  @Test
  void clientRefusesOkWithoutTheScramServerSignature() throws Exception {
    ClientAuth client = new ClientAuth("alice", "pw", random);
    client.onRequest(new Authentication.Sasl(List.of("SCRAM-SHA-256")));
    ProtocolException e = assertThrows(ProtocolException.class, () -> client.onRequest(new Authentication.Ok()));
    assertInstanceOf(ProtocolError.AuthenticationFailed.class, e.error());
  }

  @Test
  void clientWithoutPasswordOrCommonMechanismFailsClearly() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> new ClientAuth("alice", null, random).onRequest(new Authentication.CleartextPassword()));
    assertEquals("password authentication failed for user \"alice\": the server asks for a password and none was given", e.getMessage());
    e = assertThrows(ProtocolException.class,
        () -> new ClientAuth("alice", "pw", random).onRequest(new Authentication.Sasl(List.of("SCRAM-SHA-256-PLUS"))));
    assertEquals("password authentication failed for user \"alice\": server offers only [SCRAM-SHA-256-PLUS]", e.getMessage());
  }

  @Test
  void startupOptionsYieldTheirSettings() throws Exception {
    StartupPacket.StartupMessage m = StartupPacket.StartupMessage.of(Map.of("user", "u",
        "options", "-c timeline_id=11aa  -ctenant_id=22bb --neon.compute-mode=primary -c path=a\\ b"));
    assertEquals(Map.of("timeline_id", "11aa", "tenant_id", "22bb", "neon.compute_mode", "primary", "path", "a b"), m.optionSettings());
    assertEquals("u", m.database());
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> StartupPacket.StartupMessage.of(Map.of("user", "u", "options", "-c")).optionSettings());
    assertEquals("malformed options parameter: -c without a setting", e.getMessage());
  }
}
