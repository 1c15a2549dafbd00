package actors.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReaderRunsExecutorTest {
  private static ActorTestKit kit;

  /** What one message saw: its text and the thread that handled it. */
  record Seen(String text, String thread) {}

  record Note(String text, ActorRef<Seen> to) {}

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(ConfigFactory.parseString("""
        reader-runs-test {
          type = Dispatcher
          executor = "actors.net.ReaderRunsExecutor"
          reader-runs.pool-size = 2
          throughput = 16
        }
        """).withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Behavior<Note> recorder() {
    return Behaviors.receiveMessage(n -> {
      n.to().tell(new Seen(n.text(), Thread.currentThread().getName()));
      return Behaviors.same();
    });
  }

  private ActorRef<Note> spawnRecorder() {
    return kit.spawn(recorder(), DispatcherSelector.fromConfig("reader-runs-test"));
  }

  @Test
  void messagesFromAReaderRunOnTheReaderThreadInOrder() throws Exception {
    ActorRef<Note> actor = spawnRecorder();
    TestProbe<Seen> probe = kit.createTestProbe();
    actor.tell(new Note("started", probe.ref()));   // the actor's start ran on the pool
    probe.expectMessageClass(Seen.class);

    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
      ReaderRunsExecutor.beginReading();
      try {
        for (String s : List.of("a", "b", "c")) actor.tell(new Note(s, probe.ref()));
        ReaderRunsExecutor.runDeferred();
        return Thread.currentThread().getName();
      } finally {
        ReaderRunsExecutor.endReading();
      }
    });
    String readerThread = reader.get(30, TimeUnit.SECONDS);
    List<Seen> seen = probe.receiveSeveralMessages(3);
    assertEquals(List.of("a", "b", "c"), seen.stream().map(Seen::text).toList());
    for (Seen s : seen) assertEquals(readerThread, s.thread(), "run on the reader thread");
  }

  @Test
  void aReaderThatEndsRunsWhatItStillOwes() throws Exception {
    ActorRef<Note> actor = spawnRecorder();
    TestProbe<Seen> probe = kit.createTestProbe();
    Thread reader = new Thread(() -> {
      ReaderRunsExecutor.beginReading();
      try {
        actor.tell(new Note("last", probe.ref()));
      } finally {
        ReaderRunsExecutor.endReading();
      }
    }, "ending-reader");
    reader.start();
    reader.join(30_000);
    assertEquals(new Seen("last", "ending-reader"), probe.receiveMessage());
  }

  @Test
  void otherThreadsUseThePool() {
    ActorRef<Note> actor = spawnRecorder();
    TestProbe<Seen> probe = kit.createTestProbe();
    actor.tell(new Note("x", probe.ref()));
    Seen s = probe.receiveMessage();
    assertNotEquals(Thread.currentThread().getName(), s.thread());
    assertTrue(!s.thread().contains("default-dispatcher"), "a thread of the executor's own pool: " + s.thread());
  }
}
