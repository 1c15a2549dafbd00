package actors.proposer;

import actors.net.PgTcp;
import actors.proposer.PgClientSession.Event;
import actors.proposer.PgClientSession.Result;
import actors.proposer.PgClientSession.Send;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import wire.pg.DecoderLimits;
import wire.pg.FrontendMessage;
import wire.pg.Terminate;

/**
 * Runs a {@link PgClientSession} over Akka TCP. What goes to the server passes through a bounded
 * queue that the caller also uses in COPY BOTH mode; offering to a full queue is a failure, so
 * callers bound what they send themselves (the proposer's per-safekeeper window).
 */
public final class PgClient {
  /** WAL messages are at most 128 KiB plus headers; CopyData from PostgreSQL is at most that too. */
  static final DecoderLimits LIMITS = DecoderLimits.DEFAULT.withMaxCopyData(1 << 20);

  private PgClient() {}

  /** A connection being opened: the queue of messages to send, and what the server's answers produced. */
  public record Conversation(BoundedSourceQueue<FrontendMessage> outbound, Source<Event, NotUsed> events) {}

  /** The events source connects when run; it runs once. */
  public static Conversation open(ActorSystem<?> system, String host, int port, PgClientSession session, int outboundCapacity) {
    return open(system, host, port, session, outboundCapacity, m -> {});
  }

  /** As above; {@code onWire} sees each message as it leaves the queue for the socket. */
  public static Conversation open(ActorSystem<?> system, String host, int port, PgClientSession session, int outboundCapacity,
      java.util.function.Consumer<FrontendMessage> onWire) {
    Pair<BoundedSourceQueue<FrontendMessage>, Source<FrontendMessage, NotUsed>> queue =
        Source.<FrontendMessage>queue(outboundCapacity).preMaterialize(Materializer.matFromSystem(system));
    BoundedSourceQueue<FrontendMessage> out = queue.first();
    offer(out, session.startup(), host + ":" + port);
    Source<Event, NotUsed> events = queue.second()
        .map(m -> {
          onWire.accept(m);
          return m;
        })
        .via(PgTcp.connect(system, host, port, LIMITS))
        .mapConcat(session::onMessage)
        .filter(e -> {
          if (!(e instanceof Send s)) return true;
          offer(out, s.message(), host + ":" + port);
          if (s.message() instanceof Terminate) out.complete();
          return false;
        });
    return new Conversation(out, events);
  }

  /** Runs plain queries on one fresh connection and returns their results in order. */
  public static CompletionStage<List<Result>> query(ActorSystem<?> system, String host, int port,
      Map<String, String> startupParameters, String password, List<String> queries, Duration timeout) {
    PgClientSession session = new PgClientSession(host + ":" + port, startupParameters, password, queries);
    return open(system, host, port, session, 16).events()
        .filter(e -> e instanceof Result)
        .map(e -> (Result) e)
        .completionTimeout(timeout)
        .runWith(Sink.seq(), Materializer.matFromSystem(system));
  }

  /** Queues one message; a full or closed queue means the caller broke its own bound. */
  static void offer(BoundedSourceQueue<FrontendMessage> out, FrontendMessage m, String server) {
    QueueOfferResult r = out.offer(m);
    if (r != QueueOfferResult.enqueued()) {
      throw new IllegalStateException("cannot send " + m.getClass().getSimpleName() + " to " + server + ": outbound queue " + r);
    }
  }
}
