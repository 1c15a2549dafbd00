package bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The floor under GetPage: a request of {@value #REQUEST} bytes answered with {@value #RESPONSE}
 * bytes (an 8 KiB page in a CopyData frame) over loopback TCP, with nothing done in between, so the
 * figures are the transport's alone. Two servers: Akka Streams {@code Tcp} (what the page service
 * runs on) and a plain blocking socket with a thread. The client is a blocking socket keeping
 * {@code depth} requests in flight. Prints p50/p99 and the CPU of this JVM (client and server) per
 * request.
 *
 * <p>Arguments: [requests, default 20000] [depth, default 1] [akka|blocking|both, default both].
 */
public final class TransportFloorBench {
  static final int REQUEST = 30;
  static final int RESPONSE = 8192 + 1 + 4 + 1 + 16;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
    int depth = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    String which = args.length > 2 ? args[2] : "both";
    System.out.printf("TransportFloorBench: %d requests, depth %d; %s%n", n, depth, Machine.describe());
    System.out.println("| server | depth | requests/s | p50 µs | p99 µs | JVM CPU µs/request (client + server) |");
    System.out.println("|---|---|---|---|---|---|");
    if (!which.equals("blocking")) akka(n, depth);
    if (!which.equals("akka")) blocking(n, depth);
  }

  private static void akka(int n, int depth) throws Exception {
    var config = ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING").withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "floor", config);
    try {
      Materializer mat = Materializer.matFromSystem(system);
      ByteString answer = ByteString.fromArray(new byte[RESPONSE]);
      // fixed-size requests: count the bytes, answer once per whole request
      Flow<ByteString, ByteString, ?> server = Flow.of(ByteString.class).statefulMapConcat(() -> {
        int[] pending = {0};
        return chunk -> {
          pending[0] += chunk.size();
          List<ByteString> out = new ArrayList<>();
          while (pending[0] >= REQUEST) {
            pending[0] -= REQUEST;
            out.add(answer);
          }
          return out;
        };
      });
      var binding = Tcp.get(system).bind("127.0.0.1", 0, 128, List.of(), true, Optional.empty())
          .to(Sink.foreach(c -> c.handleWith(server, mat))).run(mat).toCompletableFuture().get(30, TimeUnit.SECONDS);
      run("akka streams tcp", binding.localAddress().getPort(), n, depth);
      binding.unbind().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void blocking(int n, int depth) throws Exception {
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread server = new Thread(() -> {
        try (Socket s = listener.accept()) {
          s.setTcpNoDelay(true);
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          byte[] request = new byte[REQUEST], answer = new byte[RESPONSE];
          while (true) {
            in.readFully(request);
            out.write(answer);
          }
        } catch (IOException closed) {
          // the client is done
        }
      }, "floor-server");
      server.setDaemon(true);
      server.start();
      run("blocking socket + thread", listener.getLocalPort(), n, depth);
    }
  }

  private static void run(String label, int port, int n, int depth) throws IOException {
    long[] latency = new long[n], sentAt = new long[n];
    byte[] request = new byte[REQUEST], answer = new byte[RESPONSE];
    double cpu0 = cpuSeconds();
    long start = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      int sent = 0, received = 0;
      while (received < n) {
        while (sent < n && sent - received < depth) {
          sentAt[sent++] = System.nanoTime();
          out.write(request);
        }
        new DataInputStream(in).readFully(answer);
        latency[received] = System.nanoTime() - sentAt[received];
        received++;
      }
    }
    long wall = System.nanoTime() - start;
    double cpu = cpuSeconds() - cpu0;
    Arrays.sort(latency);
    System.out.printf("| %s | %d | %.0f | %.0f | %.0f | %.1f |%n", label, depth, n / (wall / 1e9), latency[n / 2] / 1e3,
        latency[(int) (n * 0.99)] / 1e3, cpu * 1e6 / n);
  }

  private static double cpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
  }
}
