package actors.net;

import akka.NotUsed;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import wire.pg.BackendMessage;
import wire.pg.DecoderLimits;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;

/**
 * The PostgreSQL protocol as Akka Streams stages: a {@link BidiFlow} per side that sits between a
 * TCP flow and message handling. Each materialization gets its own {@link PgDecoder}. A decoder
 * error, including a stream that ends inside a frame, fails the stream with the decoder's
 * {@link wire.pg.ProtocolException}.
 */
public final class PgCodec {
  private PgCodec() {}

  /** Server side: bytes from the client become frontend messages; backend messages become bytes. */
  public static BidiFlow<ByteString, FrontendMessage, BackendMessage, ByteString, NotUsed> server(DecoderLimits limits) {
    Flow<BackendMessage, ByteString, NotUsed> encode = Flow.of(BackendMessage.class).map(m -> ByteString.fromArrayUnsafe(m.encode()));
    return BidiFlow.fromFlows(decoder(() -> PgDecoder.forServer(limits)), encode);
  }

  /** Client side: frontend messages become bytes; bytes from the server become backend messages. */
  public static BidiFlow<FrontendMessage, ByteString, ByteString, BackendMessage, NotUsed> client(DecoderLimits limits) {
    Flow<FrontendMessage, ByteString, NotUsed> encode = Flow.of(FrontendMessage.class).map(m -> ByteString.fromArrayUnsafe(m.encode()));
    return BidiFlow.fromFlows(encode, decoder(() -> PgDecoder.forClient(limits)));
  }

  /** Bytes to messages; an empty Optional marks the end of input so a half-received frame is reported. */
  static <M> Flow<ByteString, M, NotUsed> decoder(Supplier<PgDecoder<M>> factory) {
    return Flow.of(ByteString.class)
        .map(Optional::of)
        .concat(Source.single(Optional.<ByteString>empty()))
        .statefulMapConcat(() -> {
          PgDecoder<M> decoder = factory.get();
          return chunk -> {
            if (chunk.isPresent()) return decoder.feed(chunk.get().asByteBuffer());
            decoder.finish();
            return List.of();
          };
        });
  }
}
