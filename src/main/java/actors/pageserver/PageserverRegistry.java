package actors.pageserver;

import actors.safekeeper.TimelineId;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The tenants and timelines a pageserver serves, published by the {@link TenantManager} (the only
 * writer) for sessions and HTTP routes to look up without asking an actor.
 */
public final class PageserverRegistry {
  private final Set<String> tenants = ConcurrentHashMap.newKeySet();
  private final Map<TimelineId, TimelineHandle> timelines = new ConcurrentHashMap<>();
  private final Map<String, TenantConfig> configs = new ConcurrentHashMap<>();
  private volatile TenantConfig defaults;

  void setDefaults(TenantConfig d) {
    defaults = d;
  }

  void setConfig(String tenantId, TenantConfig c) {
    configs.put(tenantId, c);
  }

  /** The tenant's effective config (the node's defaults until it has its own). */
  public TenantConfig config(String tenantId) {
    return configs.getOrDefault(tenantId, defaults);
  }

  void addTenant(String tenantId) {
    tenants.add(tenantId);
  }

  void removeTenant(String tenantId) {
    tenants.remove(tenantId);
    configs.remove(tenantId);
  }

  void add(TimelineHandle handle) {
    timelines.put(handle.id(), handle);
  }

  void remove(TimelineId id) {
    timelines.remove(id);
  }

  public boolean hasTenant(String tenantId) {
    return tenants.contains(tenantId);
  }

  public List<String> tenants() {
    return tenants.stream().sorted().toList();
  }

  public List<TimelineHandle> timelines(String tenantId) {
    return timelines.values().stream().filter(h -> h.id().tenantId().equals(tenantId))
        .sorted((a, b) -> a.id().compareTo(b.id())).toList();
  }

  /** One step of background maintenance on a timeline. */
  interface TimelineStep {
    void run(TimelineHandle timeline) throws IOException;
  }

  /** Runs {@code step} on each of the tenant's timelines; a failure is logged and the next timeline still gets its turn. */
  void eachTimeline(String tenantId, String what, Logger log, TimelineStep step) {
    for (TimelineHandle h : timelines(tenantId)) {
      try {
        step.run(h);
      } catch (IOException | RuntimeException e) {
        log.error("{} failed timeline={} reason=\"{}\"", what, h.id(), e.toString(), e);
      }
    }
  }

  public Collection<TimelineHandle> all() {
    return timelines.values();
  }

  /** The timeline, or a failure that says whether the tenant or the timeline is unknown. */
  public TimelineHandle timeline(String tenantId, String timelineId) {
    if (!TimelineId.isId(tenantId)) throw PsError.BAD_REQUEST.failure("tenant id '" + tenantId + "' is not 32 hex characters");
    if (!TimelineId.isId(timelineId)) throw PsError.BAD_REQUEST.failure("timeline id '" + timelineId + "' is not 32 hex characters");
    if (!tenants.contains(tenantId)) throw PsError.UNKNOWN_TENANT.failure("tenant " + tenantId + " does not exist");
    TimelineHandle h = timelines.get(new TimelineId(tenantId, timelineId));
    if (h == null) throw PsError.UNKNOWN_TIMELINE.failure("timeline " + timelineId + " of tenant " + tenantId + " does not exist");
    return h;
  }
}
