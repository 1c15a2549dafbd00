package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** What the pageserver's HTTP routes may do: questions to the tenant manager and reads of the registry. */
public final class PageserverApi {
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(10);

  private final ActorSystem<?> system;
  private final ActorRef<TenantManager.Command> tenants;
  private final PageserverRegistry registry;
  private final PageserverSettings settings;
  private final PrometheusMeterRegistry metrics;

  public PageserverApi(ActorSystem<?> system, ActorRef<TenantManager.Command> tenants, PageserverRegistry registry,
      PageserverSettings settings, PrometheusMeterRegistry metrics) {
    this.system = system;
    this.tenants = tenants;
    this.registry = registry;
    this.settings = settings;
    this.metrics = metrics;
  }

  public long nodeId() {
    return settings.nodeId();
  }

  public CompletionStage<TenantManager.Result<String>> createTenant(String idOrNull) {
    return AskPattern.ask(tenants, r -> new TenantManager.CreateTenant(idOrNull, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** Restores a tenant from object storage; the result is its new generation. */
  public CompletionStage<TenantManager.Result<Long>> attachTenant(String tenantId) {
    return AskPattern.ask(tenants, r -> new TenantManager.Attach(tenantId, r), CREATE_TIMEOUT, system.scheduler());
  }

  public List<String> tenants() {
    return registry.tenants();
  }

  public boolean hasTenant(String tenantId) {
    return registry.hasTenant(tenantId);
  }

  public CompletionStage<TenantManager.Result<TimelineInfo>> createTimeline(String tenantId, String timelineIdOrNull, String name,
      Integer pgVersion, Path importPgdata, String ancestorTimelineId, Long ancestorLsn) {
    return AskPattern.ask(tenants, r -> new TenantManager.CreateTimeline(tenantId, timelineIdOrNull, name, pgVersion, importPgdata,
        ancestorTimelineId, ancestorLsn, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** The timelines of a tenant; throws a failure when the tenant is unknown. */
  public List<TimelineInfo> timelines(String tenantId) {
    if (!registry.hasTenant(tenantId)) throw PsError.UNKNOWN_TENANT.failure("tenant " + tenantId + " does not exist");
    return registry.timelines(tenantId).stream().map(TimelineHandle::info).toList();
  }

  public TimelineInfo timeline(String tenantId, String timelineId) {
    return registry.timeline(tenantId, timelineId).info();
  }

  public CompletionStage<TenantManager.Result<TimelineInfo>> checkpoint(String tenantId, String timelineId, boolean compact) {
    TimelineHandle h = registry.timeline(tenantId, timelineId);
    return AskPattern.ask(tenants, r -> new TenantManager.Checkpoint(h.id(), compact, r), CREATE_TIMEOUT, system.scheduler());
  }

  public String metrics() {
    return metrics.scrape();
  }
}
