package actors.net;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import wire.pg.BackendMessage;
import wire.pg.DecoderLimits;
import wire.pg.FrontendMessage;
import wire.pg.ProtocolException;

/** Runs {@link PgCodec} over Akka TCP: a listener that gives each connection a handler, and a client connection. */
public final class PgTcp {
  private PgTcp() {}

  /**
   * Listens on {@code host:port} (0 picks a free port; see the binding's local address). Each
   * connection runs a fresh flow from {@code handler}. When the client breaks the protocol, the
   * handler's output ends with the error as a FATAL ErrorResponse and the connection closes.
   */
  public static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, String host, int port, DecoderLimits limits,
                                                         Supplier<Flow<FrontendMessage, BackendMessage, ?>> handler) {
    Materializer mat = Materializer.matFromSystem(system);
    // halfClose: when a session fails, its input is cancelled first; the FATAL error must still go out
    return Tcp.get(system).bind(host, port, 128, List.of(), true, Optional.empty())
        .to(Sink.foreach(connection -> {
          Flow<FrontendMessage, BackendMessage, ?> session = handler.get()
              .recover(new PFBuilder<Throwable, BackendMessage>()
                  .match(ProtocolException.class, e -> {
                    system.log().warn("pg connection failed: remote={} error={}", connection.remoteAddress(), e.getMessage());
                    return e.toErrorResponse();
                  })
                  .build());
          Flow<ByteString, ByteString, NotUsed> quiet = Flow.of(ByteString.class).via(new CancelQuietly<>());
          connection.handleWith(quiet.via(PgCodec.server(limits).join(session)), mat);
        }))
        .run(mat);
  }

  /** A client connection: frontend messages in, backend messages out; the first one to send is a StartupMessage. */
  public static Flow<FrontendMessage, BackendMessage, CompletionStage<Tcp.OutgoingConnection>> connect(
      ActorSystem<?> system, String host, int port, DecoderLimits limits) {
    return PgCodec.client(limits).join(Tcp.get(system).outgoingConnection(host, port),
        Keep.<NotUsed, CompletionStage<Tcp.OutgoingConnection>>right());
  }
}
