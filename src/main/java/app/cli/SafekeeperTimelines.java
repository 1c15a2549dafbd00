package app.cli;

import app.Failure;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * The safekeepers' copies of timelines, through each safekeeper's HTTP API, for the commands that
 * delete timelines: {@code --safekeepers-http URL,…}, else {@code safekeeper-http} in .strata/config.
 */
final class SafekeeperTimelines {
  private final List<ServiceClient> safekeepers;

  private SafekeeperTimelines(List<ServiceClient> safekeepers) {
    this.safekeepers = safekeepers;
  }

  /** Empty when neither the option nor the config names any (then the WAL stays on the safekeepers). */
  static SafekeeperTimelines of(String explicit) {
    String list = explicit != null && !explicit.isBlank() ? explicit : LocalCluster.load().get("safekeeper-http").orElse("");
    return new SafekeeperTimelines(Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(url -> new ServiceClient("safekeeper", url)).toList());
  }

  boolean isEmpty() {
    return safekeepers.isEmpty();
  }

  /**
   * Deletes the timeline on every safekeeper; one that does not have it is fine. A safekeeper that
   * cannot be reached is reported on {@code err} and the others still go; returns how many failed.
   */
  int delete(String tenant, String timeline, PrintWriter err) {
    int failed = 0;
    for (ServiceClient sk : safekeepers) {
      try {
        sk.delete("/v1/tenant/" + tenant + "/timeline/" + timeline);
      } catch (ServiceClient.NotFound gone) {
        // never had it: a timeline no compute wrote to
      } catch (Failure f) {
        err.println("strata: timeline " + timeline + " is still on a safekeeper: " + f.getMessage());
        failed++;
      }
    }
    return failed;
  }
}
