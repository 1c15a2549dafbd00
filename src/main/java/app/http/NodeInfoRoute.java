package app.http;

import actors.node.NodeSettings;
import actors.node.NodeStatus;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /node} on Akka Management HTTP: this node's id, roles, data dir, ports and what each
 * subsystem reports. {@code ./strata status} reads it.
 */
public final class NodeInfoRoute extends AllDirectives implements ManagementRouteProvider {
  private final NodeStatus status;

  public NodeInfoRoute(ExtendedActorSystem system) {
    this.status = NodeStatus.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("node", () -> get(() -> completeOK(snapshot(), Jackson.marshaller())));
  }

  private Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    NodeSettings s = status.settings();
    if (s != null) {
      out.put("node_id", Long.toUnsignedString(s.nodeId()));
      out.put("roles", s.roles().stream().map(r -> r.configName()).toList());
      out.put("data_dir", s.dataDir().toString());
      out.put("listen_host", s.listenHost());
      out.put("ports", s.rolePorts());
    }
    Map<String, Object> subsystems = new LinkedHashMap<>();
    status.subsystems().forEach((role, state) -> subsystems.put(role.configName(),
        Map.of("ready", state.ready(), "detail", state.detail())));
    out.put("subsystems", subsystems);
    return out;
  }
}
