package actors.net;

import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.Materializer;
import akka.stream.OverflowStrategy;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.SourceQueueWithComplete;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.ClientAuth;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.ParameterStatus;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket;

/**
 * A test-side client over {@link PgTcp#connect}: a queue in, a queue out, so a test can talk to a
 * server one message at a time. Blocking waits happen on the test thread only.
 */
final class PgClientConnection implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 60;

  private final SourceQueueWithComplete<FrontendMessage> out;
  private final SinkQueueWithCancel<BackendMessage> in;
  final Map<String, String> parameters = new java.util.LinkedHashMap<>();

  private PgClientConnection(SourceQueueWithComplete<FrontendMessage> out, SinkQueueWithCancel<BackendMessage> in) {
    this.out = out;
    this.in = in;
  }

  /** Connects, sends the startup packet, authenticates and waits for ReadyForQuery. */
  static PgClientConnection open(ActorSystem<?> system, int port, Map<String, String> startup, String password) throws Exception {
    Pair<SourceQueueWithComplete<FrontendMessage>, SinkQueueWithCancel<BackendMessage>> queues =
        Source.<FrontendMessage>queue(16, OverflowStrategy.backpressure())
            .via(PgTcp.connect(system, "127.0.0.1", port, DecoderLimits.DEFAULT))
            .toMat(Sink.queue(), Keep.both())
            .run(Materializer.matFromSystem(system));
    PgClientConnection c = new PgClientConnection(queues.first(), queues.second());
    c.send(StartupPacket.StartupMessage.of(startup));
    ClientAuth auth = new ClientAuth(startup.get("user"), password, new java.security.SecureRandom());
    while (true) {
      BackendMessage m = c.receive();
      if (m instanceof Authentication a) auth.onRequest(a).ifPresent(c::sendUnchecked);
      else if (m instanceof ParameterStatus p) c.parameters.put(p.name(), p.value());
      else if (m instanceof ErrorResponse e) throw new AssertionError("server refused the connection: " + e.fields());
      else if (m instanceof ReadyForQuery) break;
    }
    if (!auth.isAuthenticated()) throw new AssertionError("ReadyForQuery before AuthenticationOk");
    return c;
  }

  void send(FrontendMessage m) throws Exception {
    QueueOfferResult r = out.offer(m).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (r != QueueOfferResult.enqueued()) throw new AssertionError("could not send " + m + ": " + r);
  }

  private void sendUnchecked(FrontendMessage m) {
    try {
      send(m);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  BackendMessage receive() throws Exception {
    return in.pull().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .orElseThrow(() -> new AssertionError("the server closed the connection"));
  }

  /** Everything up to and including the next ReadyForQuery. */
  List<BackendMessage> receiveUntilReady() throws Exception {
    List<BackendMessage> all = new ArrayList<>();
    BackendMessage m;
    do {
      m = receive();
      all.add(m);
    } while (!(m instanceof ReadyForQuery));
    return all;
  }

  @Override public void close() {
    out.complete();
    in.cancel();
  }
}
