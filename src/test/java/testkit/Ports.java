package testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for processes that cannot bind to port 0 themselves.
 *
 * <p>Ports come from 14000-24999, below the kernel's ephemeral range (32768 on): a port the kernel
 * handed out for {@code bind(0)} or an outgoing connection could be handed out again before the
 * process that was given it binds it, and two nodes of one test then fight over it. This range also
 * stays clear of the ports ./strata up and endpoints use, at the offsets the tests pick. A port is
 * given out at most once per JVM; each JVM starts at a random point so parallel test JVMs rarely meet.
 */
public final class Ports {
  private static final int FIRST = 14000;
  private static final int COUNT = 11000;
  private static final AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

  private Ports() {}

  public static int free() {
    for (int tried = 0; tried < COUNT; tried++) {
      int port = FIRST + Math.floorMod(next.getAndIncrement(), COUNT);
      if (bindable(port)) return port;
    }
    throw new IllegalStateException("no free loopback port in " + FIRST + "-" + (FIRST + COUNT - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
