package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.Failure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Endpoint port slots: distinct per endpoint, shifted by the cluster's offset, never on a busy port. */
class EndpointPortsTest {
  @Test
  void theFirstEndpointGetsTheBasePorts() {
    assertEquals(new EndpointPorts(3080, 55432, 25540, 8580), EndpointPorts.allocate(0, List.of(), p -> true));
  }

  @Test
  void slotsHeldByOtherEndpointsAreSkipped() {
    EndpointPorts first = EndpointPorts.allocate(0, List.of(), p -> true);
    EndpointPorts second = EndpointPorts.allocate(0, List.of(first), p -> true);
    EndpointPorts third = EndpointPorts.allocate(0, List.of(first, second), p -> true);
    assertEquals(new EndpointPorts(3081, 55433, 25541, 8581), second);
    Set<Integer> all = new HashSet<>();
    for (EndpointPorts p : List.of(first, second, third)) all.addAll(p.all());
    assertEquals(12, all.size(), "no port is shared: " + all);
  }

  @Test
  void aSlotWithOneBusyPortIsSkipped() {
    EndpointPorts chosen = EndpointPorts.allocate(0, List.of(), p -> p != 25540 && p != 8581);
    assertEquals(EndpointPorts.slot(0, 2), chosen);
  }

  @Test
  void theOffsetShiftsEveryPort() {
    assertEquals(new EndpointPorts(4080, 56432, 26540, 9580), EndpointPorts.allocate(1000, List.of(), p -> true));
  }

  @Test
  void noFreeSlotIsAFailureNamingTheRange() {
    Failure f = assertThrows(Failure.class, () -> EndpointPorts.allocate(0, List.of(), p -> false));
    assertTrue(f.getMessage().contains("no free ports"), f.getMessage());
  }

  @Test
  void aListeningPortIsNotFree() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertFalse(EndpointPorts.freeOnLoopback(s.getLocalPort()));
    }
  }
}
