package app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata tenant create|list|delete|attach}: tenants on the pageserver. */
@Command(name = "tenant", mixinStandardHelpOptions = true, description = "Create, list, delete and attach tenants.",
    subcommands = {TenantCommand.Create.class, TenantCommand.ListTenants.class, TenantCommand.Delete.class, TenantCommand.Attach.class})
public final class TenantCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, list, delete or attach");
  }

  static class PageserverOption {
    @Option(names = "--pageserver", paramLabel = "URL", description = "Pageserver HTTP URL (default: from .strata/config).")
    String pageserver;

    ServiceClient client() {
      return ServiceClient.pageserver(LocalCluster.load().require(pageserver, "pageserver.http", "--pageserver"));
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant and print its id.")
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin PageserverOption ps;

    @Option(names = "--id", paramLabel = "HEX", description = "The tenant id (32 hex characters; default: random).")
    String id;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (id != null) body.put("new_tenant_id", id);
      JsonNode created = ps.client().post("/v1/tenant", body);
      spec.commandLine().getOut().println(created.path("id").asText());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants, one id per line.")
  static final class ListTenants implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin PageserverOption ps;

    @Override
    public Integer call() {
      String deflt = LocalCluster.load().get("tenant").orElse("");
      for (JsonNode t : ps.client().get("/v1/tenant")) {
        String id = t.path("id").asText();
        spec.commandLine().getOut().println(id + (id.equals(deflt) ? " (default)" : ""));
      }
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a tenant and all its timelines, on the pageserver and the safekeepers.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin PageserverOption ps;

    @CommandLine.Parameters(index = "0", paramLabel = "T", description = "The tenant id.")
    String tenant;

    @Option(names = "--safekeepers-http", paramLabel = "URL,…", description = "Safekeeper HTTP URLs (default: from .strata/config).")
    String safekeepersHttp;

    @Override
    public Integer call() {
      java.util.List<String> running = EndpointNode.runningOn(LocalCluster.home(), tenant, null);
      if (!running.isEmpty()) throw new app.Failure("tenant " + tenant + " has running endpoints " + running + ": stop them first");
      ServiceClient client = ps.client();
      java.util.List<String> timelines = new java.util.ArrayList<>();
      for (JsonNode tl : client.get("/v1/tenant/" + tenant + "/timeline")) timelines.add(tl.path("timeline_id").asText());
      client.delete("/v1/tenant/" + tenant);
      SafekeeperTimelines sks = SafekeeperTimelines.of(safekeepersHttp);
      int failed = 0;
      for (String tl : timelines) failed += sks.delete(tenant, tl, spec.commandLine().getErr());
      spec.commandLine().getOut().println("deleted tenant " + tenant);
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(name = "attach", mixinStandardHelpOptions = true,
      description = "Restore a tenant from object storage onto the pageserver (its disk must not hold it); prints its timelines.")
  static final class Attach implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin PageserverOption ps;

    @Option(names = "--tenant", paramLabel = "HEX", description = "The tenant id (default: the cluster's default tenant).")
    String tenant;

    @Override
    public Integer call() {
      String id = tenant != null ? tenant : LocalCluster.load().require(null, "tenant", "--tenant");
      JsonNode attached = ps.client().post("/v1/tenant/" + id + "/attach", Map.of());
      spec.commandLine().getOut().println("attached tenant " + id + " generation " + attached.path("generation").asLong());
      for (JsonNode tl : attached.path("timelines")) {
        spec.commandLine().getOut().println(tl.path("timeline_id").asText() + (tl.path("name").isTextual() ? " " + tl.path("name").asText() : "")
            + " disk_consistent_lsn=" + tl.path("disk_consistent_lsn").asText());
      }
      return 0;
    }
  }
}
