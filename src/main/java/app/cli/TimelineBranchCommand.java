package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wire.xlog.Lsn;

/**
 * {@code strata timeline branch --from TL [--lsn X/Y | --at TIMESTAMP] [--name NAME]}: a new timeline
 * that shares its ancestor's history up to the branch point (no data is copied). Prints its id.
 */
@Command(name = "branch", mixinStandardHelpOptions = true,
    description = "Branch a timeline at its end, at an LSN, or at a point in time, and print the new timeline's id.")
final class TimelineBranchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin TimelineCommand.TenantOptions t;

  @Option(names = "--from", required = true, paramLabel = "TL", description = "The ancestor timeline, by id or name.")
  String from;

  @Option(names = "--lsn", paramLabel = "X/Y", description = "Branch at this LSN (default: the ancestor's last record).")
  String lsn;

  @Option(names = "--at", paramLabel = "TIMESTAMP",
      description = "Branch at the state committed at this time (2026-11-22T10:00:00Z or 2026-11-22 10:00:00+00).")
  String at;

  @Option(names = "--name", paramLabel = "NAME", description = "A name, unique within the tenant.")
  String name;

  @Option(names = "--id", paramLabel = "HEX", description = "The new timeline's id (default: random).")
  String id;

  @Override
  public Integer call() {
    if (lsn != null && at != null) throw usage("give --lsn or --at, not both");
    Lsn point = lsn == null ? null : parseLsn(lsn);
    String timestamp = null;
    if (at != null) {
      try {
        timestamp = Timestamps.toRfc3339(at);
      } catch (IllegalArgumentException e) {
        throw usage("--at: " + e.getMessage());
      }
    }
    String tenant = t.tenant();
    String ancestor = t.resolve(from);
    if (timestamp != null) point = lsnAt(tenant, ancestor, timestamp);
    Map<String, Object> body = new LinkedHashMap<>();
    if (id != null) body.put("new_timeline_id", id);
    if (name != null) body.put("name", name);
    body.put("ancestor_timeline_id", ancestor);
    if (point != null) body.put("ancestor_start_lsn", point.toString());
    JsonNode created = t.ps.client().post("/v1/tenant/" + tenant + "/timeline", body);
    spec.commandLine().getOut().println(created.path("timeline_id").asText());
    return 0;
  }

  /** The LSN of the state committed at {@code timestamp}, from the pageserver's commit timestamps. */
  private Lsn lsnAt(String tenant, String timeline, String timestamp) {
    JsonNode r = t.ps.client().get("/v1/tenant/" + tenant + "/timeline/" + timeline + "/get_lsn_by_timestamp?timestamp="
        + URLEncoder.encode(timestamp, StandardCharsets.UTF_8));
    String kind = r.path("kind").asText("");
    switch (kind) {
      case "present":
      case "future":   // every commit is older: the state at that time is the latest one found
        return Lsn.parse(r.path("lsn").asText());
      case "past":
        throw new Failure("timestamp " + timestamp + " is before the history timeline " + timeline + " still keeps (it starts at "
            + r.path("lsn").asText("?") + ")");
      default:
        throw new Failure("timeline " + timeline + " has no commit to place timestamp " + timestamp + " against (kind '" + kind + "')");
    }
  }

  private Lsn parseLsn(String text) {
    try {
      return Lsn.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage("--lsn '" + text + "' is not an LSN X/Y: " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
