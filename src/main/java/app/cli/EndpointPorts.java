package app.cli;

import app.Failure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The four ports of a local endpoint's compute node: the compute's HTTP API, its PostgreSQL, Akka
 * remoting and Akka Management. Endpoint i gets 3080+i, 55432+i, 25540+i and 8580+i, each plus the
 * local cluster's port offset; the storage nodes of ./strata up stay below those (25521-25530,
 * 8561-8570, plus the same offset).
 */
record EndpointPorts(int http, int pg, int remoting, int management) {
  static final int MAX_ENDPOINTS = 100;

  static EndpointPorts slot(int offset, int i) {
    return new EndpointPorts(3080 + offset + i, 55432 + offset + i, 25540 + offset + i, 8580 + offset + i);
  }

  List<Integer> all() {
    return List.of(http, pg, remoting, management);
  }

  /**
   * The first slot none of whose ports another endpoint has recorded and all of which
   * {@code free} accepts (at creation: nothing listens on them now).
   */
  static EndpointPorts allocate(int offset, Collection<EndpointPorts> taken, IntPredicate free) {
    Set<Integer> used = new HashSet<>();
    for (EndpointPorts p : taken) used.addAll(p.all());
    for (int i = 0; i < MAX_ENDPOINTS; i++) {
      EndpointPorts candidate = slot(offset, i);
      if (candidate.all().stream().noneMatch(used::contains) && candidate.all().stream().allMatch(free::test)) return candidate;
    }
    throw new Failure("no free ports for another endpoint: the " + MAX_ENDPOINTS + " slots from " + slot(offset, 0)
        + " on are taken by endpoints or other programs");
  }

  /** Whether a server socket can bind the loopback port now. */
  static boolean freeOnLoopback(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
