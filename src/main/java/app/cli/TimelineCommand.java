package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata timeline create|import|branch|list|delete}: timelines of a tenant on the pageserver. */
@Command(name = "timeline", mixinStandardHelpOptions = true, description = "Create, import, branch, list and delete timelines.",
    subcommands = {TimelineCommand.Create.class, TimelineCommand.Import.class, TimelineBranchCommand.class,
        TimelineCommand.ListTimelines.class, TimelineCommand.Delete.class})
public final class TimelineCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, import, branch, list or delete");
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

    /** The pageserver's TimelineInfo of a timeline given by id or name. */
    JsonNode detail(String idOrName) {
      return ps.client().get("/v1/tenant/" + tenant() + "/timeline/" + resolve(idOrName));
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

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List timelines: id, name, ancestor and branch point, last record, disk consistent and GC cutoff LSNs, logical size.")
  static final class ListTimelines implements Callable<Integer> {
    private static final String FORMAT = "%-32s %-12s %-32s %-12s %-12s %-12s %-12s %s%n";
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TenantOptions t;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      out.printf(FORMAT, "TIMELINE", "NAME", "ANCESTOR", "ANCESTOR_LSN", "LAST_LSN", "DISK_LSN", "GC_CUTOFF", "LOGICAL_SIZE");
      for (JsonNode tl : t.ps.client().get("/v1/tenant/" + t.tenant() + "/timeline")) {
        out.printf(FORMAT, tl.path("timeline_id").asText(), tl.path("name").asText("-"),
            tl.path("ancestor_timeline_id").asText("-"), tl.path("ancestor_lsn").asText("-"), tl.path("last_record_lsn").asText(),
            tl.path("disk_consistent_lsn").asText(), tl.path("latest_gc_cutoff_lsn").asText(), tl.path("current_logical_size").asText());
      }
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a timeline on the pageserver and the safekeepers; refused while it has child branches.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TenantOptions t;

    @CommandLine.Parameters(index = "0", paramLabel = "TL", description = "The timeline, by id or name.")
    String timeline;

    @Option(names = "--safekeepers-http", paramLabel = "URL,…", description = "Safekeeper HTTP URLs (default: from .strata/config).")
    String safekeepersHttp;

    @Override
    public Integer call() {
      String tenant = t.tenant();
      String id = t.resolve(timeline);
      List<String> running = EndpointNode.runningOn(LocalCluster.home(), tenant, id);
      if (!running.isEmpty()) throw new Failure("timeline " + id + " has running endpoints " + running + ": stop them first");
      t.ps.client().delete("/v1/tenant/" + tenant + "/timeline/" + id);   // refused with children: nothing else changes
      SafekeeperTimelines sks = SafekeeperTimelines.of(safekeepersHttp);
      if (sks.isEmpty()) spec.commandLine().getErr().println("strata: no safekeeper HTTP URLs known; its WAL stays on the safekeepers");
      int failed = sks.delete(tenant, id, spec.commandLine().getErr());
      spec.commandLine().getOut().println("deleted timeline " + id);
      return failed == 0 ? 0 : 1;
    }
  }
}
