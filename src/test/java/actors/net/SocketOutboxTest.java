package actors.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wire.pg.DecoderLimits;

class SocketOutboxTest {
  private ServerSocket server;
  private BlockingPgClient client;
  private Socket peer;

  @BeforeEach
  void connect() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    client = new BlockingPgClient(DecoderLimits.DEFAULT);
    client.connect("127.0.0.1", server.getLocalPort(), 10_000);
    peer = server.accept();
    peer.setSoTimeout(30_000);
  }

  @AfterEach
  void close() throws IOException {
    client.cut();
    peer.close();
    server.close();
  }

  @Test
  void aSmallFrameIsInTheSocketWhenSendReturns() throws Exception {
    SocketOutbox out = new SocketOutbox(client, "test", 4, Duration.ofSeconds(5));
    CompletableFuture<?> sent = out.send(new byte[] {1, 2, 3}).toCompletableFuture();
    assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), "written by the sender, no hand-off");
    assertArrayEquals(new byte[] {1, 2, 3}, new DataInputStream(peer.getInputStream()).readNBytes(3));
  }

  @Test
  void framesBehindALargeOneKeepTheirOrder() throws Exception {
    SocketOutbox out = new SocketOutbox(client, "test", 4, Duration.ofSeconds(5));
    byte[] large = new byte[SocketOutbox.DIRECT_MAX + 1];
    Arrays.fill(large, (byte) 7);
    CompletableFuture<?> first = out.send(large).toCompletableFuture();
    CompletableFuture<?> second = out.send(new byte[] {9}).toCompletableFuture();
    DataInputStream in = new DataInputStream(peer.getInputStream());
    assertArrayEquals(large, in.readNBytes(large.length));
    assertEquals(9, in.read());
    first.get(30, TimeUnit.SECONDS);
    second.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aPeerThatDoesNotReadIsCutOnceTheQueueIsFull() throws Exception {
    SocketOutbox out = new SocketOutbox(client, "test", 2, Duration.ofSeconds(5));
    byte[] large = new byte[1 << 20];
    CompletableFuture<?> last = null;
    for (int i = 0; i < 200 && (last == null || !last.isCompletedExceptionally()); i++) last = out.send(large).toCompletableFuture();
    CompletableFuture<?> refused = last;
    assertTrue(refused.isCompletedExceptionally(), "200 MB never fit in a socket nobody reads");
    assertThrows(ExecutionException.class, refused::get);
    assertTrue(client.isClosed(), "the connection is cut");
  }

  @Test
  void closeSendsWhatIsQueuedThenEndsTheOutput() throws Exception {
    SocketOutbox out = new SocketOutbox(client, "test", 4, Duration.ofSeconds(30));
    byte[] large = new byte[SocketOutbox.DIRECT_MAX * 2];
    out.send(large);
    out.close();
    assertTrue(out.send(new byte[] {1}).toCompletableFuture().isCompletedExceptionally(), "nothing is sent after close");
    byte[] got = new DataInputStream(peer.getInputStream()).readAllBytes();   // ends when the output is shut
    assertEquals(large.length, got.length);
  }
}
