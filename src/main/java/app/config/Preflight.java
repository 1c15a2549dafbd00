package app.config;

import actors.node.NodeSettings;
import app.Failure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks that fail fast with one clear line before the ActorSystem starts: the data dir can be
 * written, and every port this node will bind is free.
 */
public final class Preflight {
  private Preflight() {}

  public static void check(NodeSettings settings, String remotingHost) {
    checkDataDir(settings.dataDir());
    Map<String, InetSocketAddress> ports = new LinkedHashMap<>();
    ports.put("akka.remote.artery.canonical.port", new InetSocketAddress(remotingHost, settings.remotingPort()));
    ports.put("akka.management.http.port", new InetSocketAddress(settings.managementHost(), settings.managementPort()));
    settings.rolePorts().forEach((key, port) -> ports.put(key, new InetSocketAddress(settings.listenHost(), port)));
    ports.forEach(Preflight::checkFree);
  }

  static void checkDataDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new Failure("data dir " + dir + " (strata.data-dir) is not writable: " + e.getClass().getSimpleName()
          + (e.getMessage() != null ? " " + e.getMessage() : ""));
    }
  }

  static void checkFree(String key, InetSocketAddress address) {
    if (address.getPort() == 0) return;
    if (address.isUnresolved()) throw new Failure("cannot resolve host " + address.getHostString() + " for " + key);
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(address);
    } catch (IOException e) {
      throw new Failure("port " + address.getPort() + " (" + key + ") on " + address.getHostString()
          + " is in use or cannot be bound: " + e.getMessage());
    }
  }
}
