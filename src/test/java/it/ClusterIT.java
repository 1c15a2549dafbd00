package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.ProcessLogs;
import testkit.StrataProcess;

/** Three strata node processes form one cluster through a seed node and notice a SIGKILL. */
@ExtendWith(ProcessLogs.class)
class ClusterIT {
  private static final Duration START = Duration.ofSeconds(90);

  @Test
  void threeNodesJoinThroughOneSeedAndSeeAKilledNodeAsUnreachable() {
    try (StrataProcess seed = StrataProcess.start("sk1", List.of("safekeeper"), List.of(), Map.of())) {
      List<Integer> seeds = List.of(seed.remotingPort());
      try (StrataProcess sk2 = StrataProcess.start("sk2", List.of("safekeeper"), seeds, Map.of());
           StrataProcess ps = StrataProcess.start("ps", List.of("pageserver"), seeds, Map.of())) {
        List<StrataProcess> nodes = List.of(seed, sk2, ps);
        for (StrataProcess n : nodes) n.awaitReady(START);

        Map<String, String> expectedRoles = Map.of(seed.address(), "safekeeper", sk2.address(), "safekeeper", ps.address(), "pageserver");
        for (StrataProcess n : nodes) {
          StrataProcess.await(START, "3 members Up at " + n.name(), () -> upMembers(n).size() == 3);
          Map<String, String> roles = upMembers(n);
          assertEquals(expectedRoles, roles, "members and roles seen by " + n.name());
          JsonNode info = n.json("/node");
          assertTrue(info.path("subsystems").path(expectedRoles.get(n.address())).path("ready").asBoolean(),
              n.name() + " reports its subsystem in /node: " + info);
        }

        ps.kill();
        for (StrataProcess n : List.of(seed, sk2)) {
          StrataProcess.await(Duration.ofSeconds(60), ps.name() + " unreachable at " + n.name(),
              () -> unreachable(n).contains(ps.address()));
        }
        assertTrue(seed.isAlive() && sk2.isAlive(), "the survivors keep running");
      }
    }
  }

  /** address → role (without dc-default) for members with status Up. */
  private static Map<String, String> upMembers(StrataProcess n) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode m : n.json("/cluster/members").path("members")) {
      if (!"Up".equals(m.path("status").asText())) continue;
      Set<String> roles = new TreeSet<>();
      m.path("roles").forEach(r -> roles.add(r.asText()));
      roles.remove("dc-default");
      out.put(m.path("node").asText(), String.join(",", roles));
    }
    return out;
  }

  private static Set<String> unreachable(StrataProcess n) {
    Set<String> out = new TreeSet<>();
    for (JsonNode u : n.json("/cluster/members").path("unreachable")) out.add(u.path("node").asText());
    return out;
  }
}
