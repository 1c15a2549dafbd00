package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata timeline create|import|list}: timelines of a tenant on the pageserver. */
@Command(name = "timeline", mixinStandardHelpOptions = true, description = "Create, import and list timelines.",
    subcommands = {TimelineCommand.Create.class, TimelineCommand.Import.class, TimelineCommand.ListTimelines.class})
public final class TimelineCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, import or list");
  }

  /** The tenant (default: the local cluster's) and the pageserver. */
  static class TenantOptions {
    @CommandLine.Mixin TenantCommand.PageserverOption ps;

    @Option(names = "--tenant", paramLabel = "T", description = "Tenant id (default: the local cluster's default tenant).")
    String tenant;

    String tenant() {
      return LocalCluster.load().require(tenant, "tenant", "--tenant");
    }

    /** A timeline id, or the id of the timeline with that name. */
    String resolve(String idOrName) {
      if (idOrName.matches("[0-9a-f]{32}")) return idOrName;
      for (JsonNode tl : ps.client().get("/v1/tenant/" + tenant() + "/timeline")) {
        if (idOrName.equals(tl.path("name").asText(null))) return tl.path("timeline_id").asText();
      }
      throw new Failure("no timeline named '" + idOrName + "' in tenant " + tenant());
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Bootstrap a new timeline (initdb) and print its id.")
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TenantOptions t;

    @Option(names = "--id", paramLabel = "HEX", description = "The timeline id (default: random).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", description = "A name, unique within the tenant.")
    String name;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (id != null) body.put("new_timeline_id", id);
      if (name != null) body.put("name", name);
      body.put("pg_version", 15);
      spec.commandLine().getOut().println(t.ps.client().post("/v1/tenant/" + t.tenant() + "/timeline", body).path("timeline_id").asText());
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Import a cleanly shut-down PostgreSQL 15 data directory as a new timeline and print its id.")
  static final class Import implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TenantOptions t;

    @Option(names = "--timeline", paramLabel = "TL", description = "The new timeline's id (default: random).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", description = "A name, unique within the tenant.")
    String name;

    @Option(names = "--pgdata", required = true, paramLabel = "DIR", description = "The data directory (read by the pageserver).")
    Path pgdata;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (id != null) body.put("new_timeline_id", id);
      if (name != null) body.put("name", name);
      body.put("import_pgdata", pgdata.toAbsolutePath().normalize().toString());
      spec.commandLine().getOut().println(t.ps.client().post("/v1/tenant/" + t.tenant() + "/timeline", body).path("timeline_id").asText());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List timelines: id, name, ancestor, LSNs.")
  static final class ListTimelines implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TenantOptions t;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      out.printf("%-32s %-12s %-32s %-12s %-12s%n", "TIMELINE", "NAME", "ANCESTOR", "ANCESTOR_LSN", "LAST_LSN");
      for (JsonNode tl : t.ps.client().get("/v1/tenant/" + t.tenant() + "/timeline")) {
        out.printf("%-32s %-12s %-32s %-12s %-12s%n", tl.path("timeline_id").asText(), tl.path("name").asText("-"),
            tl.path("ancestor_timeline_id").asText("-"), tl.path("ancestor_lsn").asText("-"), tl.path("last_record_lsn").asText());
      }
      return 0;
    }
  }
}
