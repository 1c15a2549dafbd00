package actors.pageserver;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import akka.actor.typed.DispatcherSelector;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import store.pgdatadir.LsnByTimestamp;

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
    return createTenant(idOrNull, null);
  }

  /** {@code config}: tenant config overrides (a JSON object of {@link TenantConfig#FIELDS}) or null. */
  public CompletionStage<TenantManager.Result<String>> createTenant(String idOrNull, JsonNode config) {
    return AskPattern.ask(tenants, r -> new TenantManager.CreateTenant(idOrNull, config, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** Replaces the tenant's config overrides; answers the effective config. */
  public CompletionStage<TenantManager.Result<TenantConfig>> setTenantConfig(String tenantId, JsonNode overrides) {
    return AskPattern.ask(tenants, r -> new TenantManager.SetConfig(tenantId, overrides, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** The tenant's effective config. */
  public TenantConfig tenantConfig(String tenantId) {
    if (!registry.hasTenant(tenantId)) throw PsError.UNKNOWN_TENANT.failure("tenant " + tenantId + " does not exist");
    return registry.config(tenantId);
  }

  /** A full compaction pass over the timeline (L0 compaction and image layers). */
  public CompletionStage<TenantManager.Result<String>> compact(String tenantId, String timelineId) {
    TimelineHandle h = registry.timeline(tenantId, timelineId);
    return AskPattern.ask(tenants, r -> new TenantManager.Compact(h.id(), r), CREATE_TIMEOUT, system.scheduler());
  }

  /** GC of the timeline now, with the tenant's gc_horizon unless {@code gcHorizon} is given. */
  public CompletionStage<TenantManager.Result<GcWorker.Report>> doGc(String tenantId, String timelineId, Long gcHorizon) {
    TimelineHandle h = registry.timeline(tenantId, timelineId);
    return AskPattern.ask(tenants, r -> new TenantManager.DoGc(h.id(), gcHorizon, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** The LSN of a point in time on the timeline (see {@link TimelineHandle#lsnByTimestamp}), searched off the caller's thread. */
  public CompletionStage<LsnByTimestamp.Answer> lsnByTimestamp(String tenantId, String timelineId, Instant t) {
    TimelineHandle h = registry.timeline(tenantId, timelineId);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
    return CompletableFuture.supplyAsync(() -> {
      try {
        return h.lsnByTimestamp(t);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, blocking);
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

  /** Stops and removes a timeline; a failure when it is unknown or has child branches. */
  public CompletionStage<TenantManager.Result<String>> deleteTimeline(String tenantId, String timelineId) {
    return AskPattern.ask(tenants, r -> new TenantManager.DeleteTimeline(tenantId, timelineId, r), CREATE_TIMEOUT, system.scheduler());
  }

  /** Stops every timeline of a tenant and removes it; a failure when it is unknown. */
  public CompletionStage<TenantManager.Result<String>> deleteTenant(String tenantId) {
    return AskPattern.ask(tenants, r -> new TenantManager.DeleteTenant(tenantId, r), CREATE_TIMEOUT, system.scheduler());
  }

  public String metrics() {
    return metrics.scrape();
  }
}
