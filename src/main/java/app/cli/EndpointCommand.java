package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wire.xlog.Lsn;

/**
 * {@code strata endpoint create|start|stop|list}: computes of the local cluster, each a node
 * process of its own with its own ports, recorded under {@code .strata/endpoints/}.
 */
@Command(name = "endpoint", mixinStandardHelpOptions = true, description = "Create, start, stop and list local compute endpoints.",
    subcommands = {EndpointCommand.Create.class, EndpointCommand.Start.class, EndpointCommand.Stop.class, EndpointCommand.ListEndpoints.class})
public final class EndpointCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, start, stop or list");
  }

  private static ServiceClient compute(EndpointRecord e) {
    return new ServiceClient("compute of endpoint " + e.name(), "http://127.0.0.1:" + e.ports().http());
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Record an endpoint of a timeline: read-write at the timeline's end, or read-only at --lsn.")
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin TimelineCommand.TenantOptions t;

    @Parameters(index = "0", paramLabel = "NAME", description = "The endpoint's name (letters, digits, '_', '.', '-').")
    String name;

    @Option(names = "--timeline", required = true, paramLabel = "TL", description = "The timeline, by id or name.")
    String timeline;

    @Option(names = "--lsn", paramLabel = "X/Y", description = "Make a read-only (static) endpoint at this LSN.")
    String lsn;

    @Override
    public Integer call() {
      Path home = LocalCluster.home();
      EndpointRecord.checkName(name);
      Optional<Lsn> at = Optional.ofNullable(lsn).map(this::parseLsn);
      if (Files.exists(EndpointRecord.file(home, name))) {
        throw new Failure("endpoint '" + name + "' already exists (" + EndpointRecord.file(home, name) + ")");
      }
      LocalCluster cluster = LocalCluster.load();
      String tenant = t.tenant();
      String timelineId = t.resolve(timeline);
      t.ps.client().get("/v1/tenant/" + tenant + "/timeline/" + timelineId);   // it must exist
      List<EndpointPorts> taken = EndpointRecord.all(home).stream().map(EndpointRecord::ports).toList();
      EndpointPorts ports = EndpointPorts.allocate(cluster.portOffset(), taken, EndpointPorts::freeOnLoopback);
      EndpointRecord e = new EndpointRecord(name, tenant, timelineId, at, ports, EndpointRecord.specDocument(tenant, timelineId, at, cluster));
      e.create(home);
      spec.commandLine().getOut().printf("created endpoint %s: tenant %s timeline %s mode %s http=%d pg=%d remoting=%d mgmt=%d%n",
          name, tenant, timelineId, e.mode(), ports.http(), ports.pg(), ports.remoting(), ports.management());
      return 0;
    }

    private Lsn parseLsn(String text) {
      Lsn parsed;
      try {
        parsed = Lsn.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--lsn '" + text + "' is not an LSN X/Y: " + e.getMessage());
      }
      if (!parsed.isValid()) throw new CommandLine.ParameterException(spec.commandLine(), "--lsn 0/0 names no point in a timeline's history");
      return parsed;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start an endpoint's compute node, wait until it runs, and print its postgresql:// URL.")
  static final class Start implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The endpoint.")
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "How long to wait for the compute to run (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
      Path home = LocalCluster.home();
      EndpointRecord e = EndpointRecord.read(home, name);
      EndpointNode node = new EndpointNode(home, e);
      ProcessHandle process = node.running().orElse(null);
      if (process == null) {
        refuseSecondPrimary(home, e);
        LocalCluster cluster = LocalCluster.load();
        String seed = cluster.get("seed").orElseThrow(() -> new Failure("no seed node in "
            + home.resolve("config") + " (run ./strata up, which writes it)"));
        EndpointRecord renewed = e.withStorage(cluster);
        if (!renewed.spec().equals(e.spec())) renewed.save(home);
        e = renewed;
        node = new EndpointNode(home, e);
        node.writeFiles(seed);
        process = node.launch();
      }
      awaitRunning(e, node, process, spec.commandLine().getErr());
      spec.commandLine().getOut().println(e.url());
      return 0;
    }

    /** One read-write compute per timeline: a second would fight the first for the safekeepers' votes. */
    private static void refuseSecondPrimary(Path home, EndpointRecord e) {
      if (e.lsn().isPresent()) return;
      for (EndpointRecord other : EndpointRecord.all(home)) {
        if (other.name().equals(e.name()) || other.lsn().isPresent()) continue;
        if (!other.tenantId().equals(e.tenantId()) || !other.timelineId().equals(e.timelineId())) continue;
        if (new EndpointNode(home, other).running().isPresent()) {
          throw new Failure("timeline " + e.timelineId() + " already has a running read-write endpoint '" + other.name()
              + "'; stop it first, or branch the timeline and create an endpoint on the branch");
        }
      }
    }

    private void awaitRunning(EndpointRecord e, EndpointNode node, ProcessHandle process, PrintWriter err) throws InterruptedException {
      ServiceClient compute = compute(e);
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (true) {
        if (!process.isAlive()) {
          node.forgetPid();
          throw failed(err, node.logTail(20), node, "endpoint " + e.name() + " exited during start");
        }
        try {
          JsonNode status = compute.get("/status");
          String state = status.path("status").asText();
          if (state.equals("running")) return;
          if (state.equals("failed") || state.equals("terminated")) {
            String why = status.path("error").asText("no error reported").replace('\n', ' ');
            String tail = node.logTail(20);   // before the stop adds its own lines
            node.stop(process, Duration.ofSeconds(30), err);   // so that the next start begins afresh
            throw failed(err, tail, node, "endpoint " + e.name() + " did not start: " + why);
          }
        } catch (ServiceClient.Unreachable notYet) {
          // the node is still coming up: its HTTP port is not bound yet
        }
        if (System.nanoTime() > deadline) throw failed(err, node.logTail(20), node, "endpoint " + e.name() + " is not running after " + timeoutSeconds + " s");
        Thread.sleep(250);   // a command-line poll, not actor code
      }
    }

    /** Prints the log's tail, and gives the one-line failure naming the log. */
    private static Failure failed(PrintWriter err, String tail, EndpointNode node, String message) {
      err.println(tail);
      err.flush();
      return new Failure(message + "; log: " + node.logFile());
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop an endpoint: terminate its compute (fast shutdown, final sync), then its node process.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The endpoint.")
    String name;

    @Override
    public Integer call() {
      Path home = LocalCluster.home();
      EndpointRecord e = EndpointRecord.read(home, name);
      EndpointNode node = new EndpointNode(home, e);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<ProcessHandle> process = node.running();
      if (process.isEmpty()) {
        node.forgetPid();
        out.println("endpoint " + name + " is not running");
        return 0;
      }
      String lsn = null;
      try {
        lsn = compute(e).post("/terminate?mode=fast").path("lsn").asText(null);
      } catch (Failure f) {
        err.println("strata: endpoint " + name + ": terminate failed, stopping the process anyway: " + f.getMessage());
      }
      node.stop(process.get(), Duration.ofSeconds(30), err);
      out.println("stopped endpoint " + name + (lsn != null ? " at LSN " + lsn : ""));
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List endpoints: timeline, mode, ports, state, URL.")
  static final class ListEndpoints implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Path home = LocalCluster.home();
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-12s %-32s %-20s %-5s %-6s %-8s %-5s %-11s %s%n";
      out.printf(format, "ENDPOINT", "TIMELINE", "MODE", "HTTP", "PG", "REMOTING", "MGMT", "STATE", "URL");
      for (EndpointRecord e : EndpointRecord.all(home)) {
        EndpointPorts p = e.ports();
        out.printf(format, e.name(), e.timelineId(), e.mode(), p.http(), p.pg(), p.remoting(), p.management(), state(home, e), e.url());
      }
      return 0;
    }

    /** The compute's status (running, init, failed, …) while its node runs; starting before it answers; stopped. */
    private static String state(Path home, EndpointRecord e) {
      if (new EndpointNode(home, e).running().isEmpty()) return "stopped";
      try {
        return compute(e).get("/status").path("status").asText("unknown");
      } catch (ServiceClient.Unreachable notYet) {
        return "starting";
      } catch (Failure f) {
        return "unknown";
      }
    }
  }
}
