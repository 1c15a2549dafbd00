package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgDecoderTest {
  static byte[] concat(List<? extends Object> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object m : messages) {
      byte[] b = m instanceof FrontendMessage f ? f.encode() : ((BackendMessage) m).encode();
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  @Test
  void aStreamSplitAtEveryPossiblePointYieldsTheSameMessages() throws Exception {
    List<BackendMessage> messages = MessageRoundTripTest.backendSamples();
    byte[] all = concat(messages);
    for (int cut1 = 0; cut1 <= all.length; cut1 += 3) {
      for (int cut2 = cut1; cut2 <= all.length; cut2 += 17) {
        PgDecoder<BackendMessage> d = PgDecoder.forClient(DecoderLimits.DEFAULT);
        List<BackendMessage> got = new ArrayList<>(d.feed(Arrays.copyOfRange(all, 0, cut1)));
        got.addAll(d.feed(Arrays.copyOfRange(all, cut1, cut2)));
        got.addAll(d.feed(ByteBuffer.wrap(all, cut2, all.length - cut2)));
        d.finish();
        assertEquals(messages, got, "cut at " + cut1 + " and " + cut2);
      }
    }
  }

  @Test
  void oneByteAtATimeIncludingTheStartupPhase() throws Exception {
    List<FrontendMessage> messages = MessageRoundTripTest.frontendSamples();
    byte[] all = concat(messages);
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT);
    List<FrontendMessage> got = new ArrayList<>();
    for (byte b : all) got.addAll(d.feed(new byte[] {b}));
    assertEquals(messages, got);
    assertFalse(d.inStartupPhase());
  }

  @Test
  void startupPhaseEndsOnlyWithAStartupMessageOrCancelRequest() throws Exception {
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT);
    d.feed(new StartupPacket.SslRequest().encode());
    assertTrue(d.inStartupPhase());
    d.feed(new StartupPacket.GssEncRequest().encode());
    assertTrue(d.inStartupPhase());
    assertEquals(List.of(new StartupPacket.CancelRequest(7, 8)), d.feed(new StartupPacket.CancelRequest(7, 8).encode()));
    assertFalse(d.inStartupPhase());
  }

  @Test
  void aFrameOverTheLimitFailsAtItsHeaderWithoutBufferingTheBody() throws Exception {
    PgDecoder<BackendMessage> d = PgDecoder.forClient(DecoderLimits.DEFAULT.withMaxFrame(1000));
    ProtocolException e = assertThrows(ProtocolException.class, () -> d.feed(new byte[] {'D', 0, 0, 0x03, (byte) 0xe9}));
    assertEquals(new ProtocolError.FrameTooLarge('D', 1001, 1000), e.error());
    assertEquals("frame length 1001 over limit 1000 for message type 'D'", e.getMessage());
    assertEquals("08P01", e.error().sqlState());
    // failed stays failed
    assertThrows(ProtocolException.class, () -> d.feed(new ReadyForQuery(ReadyForQuery.Status.IDLE).encode()));
  }

  @Test
  void copyDataHasItsOwnConfigurableLimit() throws Exception {
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT.withMaxCopyData(100));
    d.feed(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
    assertEquals(1, d.feed(new CopyData(new byte[96]).encode()).size());   // length word 100
    ProtocolException e = assertThrows(ProtocolException.class, () -> d.feed(new CopyData(new byte[97]).encode()));
    assertEquals(new ProtocolError.FrameTooLarge('d', 101, 100), e.error());
  }

  @Test
  void declaredLengthsNearTheLimitAreNotAllocatedUpFront() throws Exception {
    PgDecoder<BackendMessage> d = PgDecoder.forClient(DecoderLimits.DEFAULT);
    // 1 GiB declared, within the default limit: nothing may be reserved for it yet
    assertEquals(List.of(), d.feed(new byte[] {'D', 0x40, 0, 0, 0, 0, 1}));
    assertEquals(7, d.buffered());
    ProtocolException e = assertThrows(ProtocolException.class, d::finish);
    assertInstanceOf(ProtocolError.Truncated.class, e.error());
  }

  @Test
  void hugeAndNegativeLengthWordsAreRejected() {
    PgDecoder<BackendMessage> d = PgDecoder.forClient(DecoderLimits.DEFAULT);
    ProtocolException e = assertThrows(ProtocolException.class, () -> d.feed(new byte[] {'d', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertEquals(new ProtocolError.FrameTooLarge('d', 4294967295L, 16 << 20), e.error());
    PgDecoder<BackendMessage> d2 = PgDecoder.forClient(DecoderLimits.DEFAULT);
    e = assertThrows(ProtocolException.class, () -> d2.feed(new byte[] {'Z', 0, 0, 0, 3}));
    assertEquals(new ProtocolError.FrameTooShort('Z', 3, 4), e.error());
    PgDecoder<FrontendMessage> d3 = PgDecoder.forServer(DecoderLimits.DEFAULT);
    e = assertThrows(ProtocolException.class, () -> d3.feed(new byte[] {0, 1, 0, 0}));
    assertEquals("frame length 65536 over limit 10000 for message type startup packet", e.getMessage());
  }

  @Test
  void unknownTypeIsNamedAsSoonAsItsByteArrives() {
    PgDecoder<FrontendMessage> d = PgDecoder.forServer(DecoderLimits.DEFAULT);
    ProtocolException e = assertThrows(ProtocolException.class, () -> {
      d.feed(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
      d.feed(new byte[] {'x'});
    });
    assertEquals("unknown message type 'x'", e.getMessage());
    PgDecoder<BackendMessage> c = PgDecoder.forClient(DecoderLimits.DEFAULT);
    e = assertThrows(ProtocolException.class, () -> c.feed(new byte[] {(byte) 0xfe}));
    assertEquals("unknown message type 0xfe", e.getMessage());
  }

  @Test
  void malformedBodiesNameTheMessageAndField() {
    // 'E' with a field code but no terminated value
    assertError("truncated ErrorResponse field", new byte[] {'E', 0, 0, 0, 7, 'S', 'X', 'Y'});
    assertError("truncated Authentication salt", new byte[] {'R', 0, 0, 0, 10, 0, 0, 0, 5, 1, 2});
    assertError("malformed Authentication: unsupported authentication code 7", new byte[] {'R', 0, 0, 0, 8, 0, 0, 0, 7});
    assertError("malformed ReadyForQuery: unknown transaction status 'Q'", new byte[] {'Z', 0, 0, 0, 5, 'Q'});
    assertError("malformed EmptyQueryResponse: 1 unexpected trailing bytes", new byte[] {'I', 0, 0, 0, 5, 0});
    assertError("truncated DataRow value", new byte[] {'D', 0, 0, 0, 10, 0, 1, 0, 0, 0, 9});
    assertError("malformed DataRow: value length -2", new byte[] {'D', 0, 0, 0, 10, 0, 1, -1, -1, -1, -2});
  }

  @Test
  void startupPacketsAreValidated() {
    byte[] v2 = {0, 0, 0, 9, 0, 2, 0, 0, 0};
    assertEquals("unsupported frontend protocol 2.0: server supports 3.0 to 3.0", serverError(v2));
    byte[] noUser = {0, 0, 0, 9, 0, 3, 0, 0, 0};
    assertEquals("malformed StartupMessage: no user parameter", serverError(noUser));
    byte[] unterminated = {0, 0, 0, 12, 0, 3, 0, 0, 'u', 's', 'e', 'r'};
    assertEquals("truncated StartupMessage parameter name", serverError(unterminated));
  }

  private static String serverError(byte[] bytes) {
    return assertThrows(ProtocolException.class, () -> PgDecoder.forServer(DecoderLimits.DEFAULT).feed(bytes)).getMessage();
  }

  private static void assertError(String message, byte[] bytes) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> PgDecoder.forClient(DecoderLimits.DEFAULT).feed(bytes));
    assertEquals(message, e.getMessage());
  }
}
