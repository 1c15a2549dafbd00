package actors.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.ProtocolError;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ServerAuth;
import wire.pg.StartupPacket;

class PgCodecTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("PgCodecTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** The server codec around a handler that answers each Query with CommandComplete(sql). */
  private static Flow<ByteString, ByteString, ?> echoServer() {
    Flow<FrontendMessage, BackendMessage, ?> handler = Flow.of(FrontendMessage.class)
        .filter(m -> m instanceof Query)
        .map(m -> (BackendMessage) new CommandComplete(((Query) m).sql()));
    return PgCodec.server(DecoderLimits.DEFAULT).join(handler);
  }

  private static List<ByteString> chunks(byte[] bytes, int size) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += size) out.add(ByteString.fromArray(bytes, i, Math.min(size, bytes.length - i)));
    return out;
  }

  private static byte[] clientBytes(String... queries) {
    ByteString all = ByteString.fromArray(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
    for (String q : queries) all = all.concat(ByteString.fromArray(new Query(q).encode()));
    return all.toArray();
  }

  @Test
  void chunksCutInsideHeadersDecodeAndRepliesEncode() throws Exception {
    ByteString reply = Source.from(chunks(clientBytes("select 1", "", "select 'x'"), 3))
        .via(echoServer())
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<BackendMessage> got = PgDecoder.forClient(DecoderLimits.DEFAULT).feed(reply.toArray());
    assertEquals(List.of(new CommandComplete("select 1"), new CommandComplete(""), new CommandComplete("select 'x'")), got);
  }

  @Test
  void malformedBytesFailTheStreamWithTheTypedError() {
    byte[] bytes = clientBytes("select 1");
    bytes[bytes.length - 14] = 'x';   // the Query's type byte
    ProtocolException e = failure(Source.from(chunks(bytes, 5)));
    assertEquals(new ProtocolError.UnknownMessageType('x'), e.error());
  }

  @Test
  void aStreamEndingInsideAFrameFailsAsTruncated() {
    byte[] bytes = clientBytes("select 1");
    ProtocolException e = failure(Source.single(ByteString.fromArray(bytes, 0, bytes.length - 2)));
    assertInstanceOf(ProtocolError.Truncated.class, e.error());
  }

  private static ProtocolException failure(Source<ByteString, ?> input) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> input.via(echoServer())
        .runWith(Sink.ignore(), testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(ProtocolException.class, e.getCause());
  }

  @Test
  void aClientBreakingTheProtocolGetsAFatalErrorBeforeTheServerCloses() throws Exception {
    Tcp.ServerBinding binding = PgTcp.bind(testKit.system(), "127.0.0.1", 0, DecoderLimits.DEFAULT,
        () -> TinyPgServer.session(user -> ServerAuth.trust())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (Socket s = new Socket("127.0.0.1", binding.localAddress().getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
      out.write(new byte[] {'?', 0, 0, 0, 4});
      out.flush();
      byte[] reply = new DataInputStream(s.getInputStream()).readAllBytes();   // until the server closes
      List<BackendMessage> got = PgDecoder.forClient(DecoderLimits.DEFAULT).feed(reply);
      ErrorResponse last = (ErrorResponse) got.get(got.size() - 1);
      assertEquals("FATAL", last.fields().severity());
      assertEquals("08P01", last.fields().sqlState());
      assertEquals("unknown message type '?'", last.fields().message());
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
