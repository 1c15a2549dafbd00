package actors.proposer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One proposer's configuration. {@code postgres} is empty in sync-safekeepers mode.
 *
 * @param reconnect     wait before reconnecting to a safekeeper (safekeeper.md §4.1: 1 s)
 * @param silence       drop a safekeeper connection that said nothing for this long (10 s)
 * @param heartbeat     empty appends and status updates this often (1 s)
 * @param windowBytes   WAL handed to one safekeeper connection but not yet in its socket (queued for the
 *                      connection's writer thread)
 * @param bufferBytes   WAL from PostgreSQL kept for safekeepers; more waits for the quorum's acks
 */
public record ProposerSettings(List<Endpoint> safekeepers, String tenantId, String timelineId,
    Optional<PostgresUrl> postgres, String slot, Duration reconnect, Duration silence, Duration heartbeat,
    int windowBytes, int bufferBytes) {

  /** A safekeeper's PostgreSQL-protocol address. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public ProposerSettings {
    safekeepers = List.copyOf(safekeepers);
    if (safekeepers.isEmpty()) throw new IllegalArgumentException("--safekeepers names no safekeeper");
    if (safekeepers.size() > 32) throw new IllegalArgumentException("--safekeepers names " + safekeepers.size() + " safekeepers, at most 32 are allowed");
    if (!isId(tenantId)) throw new IllegalArgumentException("tenant id '" + tenantId + "' is not 32 hex characters");
    if (!isId(timelineId)) throw new IllegalArgumentException("timeline id '" + timelineId + "' is not 32 hex characters");
    if (windowBytes < wire.sk.ProposerMessage.MAX_WAL_BYTES) throw new IllegalArgumentException("window of " + windowBytes + " bytes is below one AppendRequest");
    if (bufferBytes < windowBytes) throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes is below the window of " + windowBytes);
  }

  /** The defaults of safekeeper.md §4.1 and Appendix B. */
  public static ProposerSettings of(List<Endpoint> safekeepers, String tenantId, String timelineId, Optional<PostgresUrl> postgres) {
    return new ProposerSettings(safekeepers, tenantId.toLowerCase(java.util.Locale.ROOT), timelineId.toLowerCase(java.util.Locale.ROOT),
        postgres, "walproposer", Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(1), 1 << 20, 16 << 20);
  }


  public boolean syncMode() {
    return postgres.isEmpty();
  }

  /** Parses {@code host:port,host:port,…}; the message of a failure names the bad entry. */
  public static List<Endpoint> parseSafekeepers(String list) {
    List<Endpoint> out = new ArrayList<>();
    for (String item : list.split(",")) {
      String s = item.strip();
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) throw new IllegalArgumentException("safekeeper '" + s + "' is not host:port");
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("safekeeper '" + s + "' has a non-numeric port");
      }
      if (port < 1 || port > 65535) throw new IllegalArgumentException("safekeeper '" + s + "' has port " + port + " outside 1..65535");
      Endpoint e = new Endpoint(s.substring(0, colon), port);
      if (out.contains(e)) throw new IllegalArgumentException("safekeeper '" + s + "' is listed twice");
      out.add(e);
    }
    return out;
  }

  private static boolean isId(String s) {
    return s != null && s.length() == 32 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }
}
