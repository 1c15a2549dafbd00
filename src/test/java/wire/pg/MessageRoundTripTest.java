package wire.pg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageRoundTripTest {
  static List<FrontendMessage> frontendSamples() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", "alice");
    params.put("database", "replication");
    params.put("replication", "true");
    params.put("options", "-c timeline_id=0123 -c tenant_id=abcd");
    return List.of(
        new StartupPacket.SslRequest(),
        new StartupPacket.GssEncRequest(),
        StartupPacket.StartupMessage.of(params),
        new Query("select 1"),
        new PasswordPacket("md5abc\0".getBytes()),
        new CopyData(new byte[] {1, 2, 3}),
        new CopyData(new byte[0]),
        new CopyDone(),
        new CopyFail("client gave up"),
        new Sync(),
        new Flush(),
        new Terminate());
  }

  static List<BackendMessage> backendSamples() {
    ErrorFields all = ErrorFields.error("42601", "syntax error at or near \"x\"");
    char[] more = {'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd', 'n', 'F', 'L', 'R', 'Z'};   // 'Z': unknown codes survive
    for (char c : more) {
      Map<Character, String> m = new LinkedHashMap<>(all.fields());
      m.put(c, "value of " + c);
      all = new ErrorFields(m);
    }
    return List.of(
        new Authentication.Ok(),
        new Authentication.CleartextPassword(),
        new Authentication.Md5Password(new byte[] {9, 8, 7, 6}),
        new Authentication.Sasl(List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS")),
        Authentication.SaslContinue.of("r=abc,s=c2FsdA==,i=4096"),
        Authentication.SaslFinal.of("v=xyz"),
        new ParameterStatus("server_version", "15.18"),
        new BackendKeyData(1234, -99),
        ReadyForQuery.IDLE,
        new ReadyForQuery(ReadyForQuery.Status.FAILED_TRANSACTION),
        IdentifySystemResult.DESCRIPTION,
        DataRow.ofText("7311", null, "0/16B3748", ""),
        new CommandComplete("SELECT 1"),
        new EmptyQueryResponse(),
        new ErrorResponse(all),
        new NoticeResponse(ErrorFields.of("WARNING", "01000", "careful")),
        new CopyResponse.CopyBothResponse(0, List.of()),
        new CopyResponse.CopyOutResponse(1, List.of((short) 1, (short) 1)),
        new CopyResponse.CopyInResponse(0, List.of((short) 0)),
        new CopyData(new byte[] {'w', 0, 1}),
        new CopyDone(),
        new NegotiateProtocolVersion(0, List.of("_pq_.compression")));
  }

  @Test
  void everyFrontendMessageDecodesToItself() throws Exception {
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT);
    // StartupMessage ends the startup phase, so the SSL and GSS requests come first
    for (FrontendMessage m : frontendSamples()) {
      assertEquals(List.of(m), d.feed(m.encode()), m.toString());
    }
    assertEquals(0, d.buffered());
  }

  @Test
  void everyBackendMessageDecodesToItself() throws Exception {
    PgDecoder<BackendMessage> d = PgDecoder.forClient(DecoderLimits.DEFAULT);
    for (BackendMessage m : backendSamples()) {
      assertEquals(List.of(m), d.feed(m.encode()), m.toString());
    }
  }

  @Test
  void passwordPacketsReadAsEachKindOfPasswordMessage() throws Exception {
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT);
    d.feed(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
    PasswordPacket p = (PasswordPacket) d.feed(new PasswordMessage("hunter2").encode()).get(0);
    assertEquals(new PasswordMessage("hunter2"), PasswordMessage.decode(p));
    SaslInitialResponse initial = SaslInitialResponse.of("SCRAM-SHA-256", "n,,n=,r=abc");
    assertEquals(initial, SaslInitialResponse.decode((PasswordPacket) d.feed(initial.encode()).get(0)));
    SaslInitialResponse none = new SaslInitialResponse("SCRAM-SHA-256", null);
    assertEquals(none, SaslInitialResponse.decode((PasswordPacket) d.feed(none.encode()).get(0)));
    SaslResponse next = SaslResponse.of("c=biws,r=abc,p=xyz");
    assertEquals(next, SaslResponse.decode((PasswordPacket) d.feed(next.encode()).get(0)));
  }

  @Test
  void goldenBytesMatchTheProtocolDocumentation() {
    HexFormat hex = HexFormat.of();
    assertEquals("000000080" + "4d2162f", hex.formatHex(new StartupPacket.SslRequest().encode()));
    assertEquals("000000080" + "4d21630", hex.formatHex(new StartupPacket.GssEncRequest().encode()));
    assertEquals("51" + "0000000d" + hex.formatHex("select 1".getBytes()) + "00", hex.formatHex(new Query("select 1").encode()));
    assertEquals("52" + "00000008" + "00000000", hex.formatHex(new Authentication.Ok().encode()));
    assertEquals("5a" + "00000005" + "49", hex.formatHex(ReadyForQuery.IDLE.encode()));
    assertEquals("57" + "00000007" + "00" + "0000", hex.formatHex(CopyResponse.replicationStream().encode()));
    assertEquals("44" + "0000000f" + "0002" + "00000001" + "31" + "ffffffff", hex.formatHex(DataRow.ofText("1", null).encode()));
    assertEquals("00000012" + "00030000" + hex.formatHex("user".getBytes()) + "00" + hex.formatHex("bob".getBytes()) + "00" + "00",
        hex.formatHex(StartupPacket.StartupMessage.of(Map.of("user", "bob")).encode()));
    assertArrayEquals(new byte[] {'N'}, EncryptionResponse.REFUSED.encode());
  }

  @Test
  void errorResponseKeepsEveryFieldInOrder() throws Exception {
    ErrorResponse e = (ErrorResponse) backendSamples().stream().filter(m -> m instanceof ErrorResponse).findFirst().orElseThrow();
    ErrorResponse back = (ErrorResponse) PgDecoder.forClient(DecoderLimits.DEFAULT).feed(e.encode()).get(0);
    List<Character> codes = new ArrayList<>(back.fields().fields().keySet());
    assertEquals(List.of('S', 'V', 'C', 'M', 'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd', 'n', 'F', 'L', 'R', 'Z'), codes);
    assertEquals("42601", back.fields().sqlState());
    for (ErrorField f : ErrorField.values()) assertEquals(e.fields().get(f), back.fields().get(f), f.name());
  }
}
