package app.http;

import actors.pageserver.PageserverApi;
import actors.pageserver.PsError;
import actors.pageserver.TenantManager;
import actors.pageserver.TimelineInfo;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import wire.xlog.Lsn;

/** The pageserver's JSON API (reference pageserver.md §8.1): tenants, timelines, checkpoint, metrics. */
final class PageserverRoutes extends AllDirectives {
  private final PageserverApi api;

  PageserverRoutes(PageserverApi api) {
    this.api = api;
  }

  Route routes() {
    return Json.withErrors(handleExceptions(akka.http.javadsl.server.ExceptionHandler.newBuilder()
        .match(PsError.Failure.class, f -> complete(Json.error(f.kind().httpStatus(), f.getMessage()))).build(), () -> concat(
        path(PathMatchers.segment("v1").slash("status"), () -> get(() ->
            complete(Json.ok(Map.of("id", Long.toUnsignedString(api.nodeId())))))),
        path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, api.metrics()))))),
        path(PathMatchers.segment("v1").slash("tenant"), () -> concat(
            post(() -> entity(Unmarshaller.entityToString(), this::createTenant)),
            get(() -> complete(Json.ok(api.tenants().stream().map(PageserverRoutes::tenantJson).toList()))))),
        path(PathMatchers.segment("v1").slash("tenant").slash("config"), () -> put(() ->
            entity(Unmarshaller.entityToString(), this::setTenantConfig))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("config"), t -> get(() ->
            complete(Json.ok(Map.of("effective_config", api.tenantConfig(t).toJson()))))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()), t -> concat(
            get(() -> {
              if (!api.hasTenant(t)) throw PsError.UNKNOWN_TENANT.failure("tenant " + t + " does not exist");
              return complete(Json.ok(tenantJson(t)));
            }),
            delete(() -> reply(api.deleteTenant(t), 200, done -> Map.of("deleted", t))))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("attach"), t -> post(() ->
            reply(api.attachTenant(t), 200, generation -> attachedJson(t, generation)))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline"), t -> concat(
            post(() -> entity(Unmarshaller.entityToString(), body -> createTimeline(t, body))),
            get(() -> complete(Json.ok(api.timelines(t).stream().map(PageserverRoutes::json).toList()))))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment()),
            (t, tl) -> concat(
                get(() -> complete(Json.ok(json(api.timeline(t, tl))))),
                delete(() -> reply(api.deleteTimeline(t, tl), 200, done -> Map.of("deleted", tl))))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment())
            .slash("checkpoint"), (t, tl) -> put(() -> parameterOptional("compact", compact ->
                reply(api.checkpoint(t, tl, compact.map(Boolean::parseBoolean).orElse(false)), 200, PageserverRoutes::json)))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment())
            .slash("compact"), (t, tl) -> put(() -> reply(api.compact(t, tl), 200, done -> Map.of()))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment())
            .slash("do_gc"), (t, tl) -> put(() -> entity(Unmarshaller.entityToString(), body -> doGc(t, tl, body)))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment())
            .slash("get_lsn_by_timestamp"), (t, tl) -> get(() -> parameter("timestamp", ts -> lsnByTimestamp(t, tl, ts))))
    )));
  }

  private Route setTenantConfig(String body) {
    JsonNode req = parse(body);
    if (!req.hasNonNull("tenant_id")) throw new IllegalArgumentException("tenant_id is required");
    String tenant = req.get("tenant_id").asText();
    com.fasterxml.jackson.databind.node.ObjectNode overrides = ((com.fasterxml.jackson.databind.node.ObjectNode) req).deepCopy();
    overrides.remove("tenant_id");
    return reply(api.setTenantConfig(tenant, overrides), 200, c -> Map.of("effective_config", c.toJson()));
  }

  private Route doGc(String tenant, String timeline, String body) {
    JsonNode req = parse(body);
    Long horizon = null;
    if (req.hasNonNull("gc_horizon")) {
      if (!req.get("gc_horizon").canConvertToLong() || req.get("gc_horizon").asLong() < 0) {
        throw new IllegalArgumentException("gc_horizon must be a number of bytes, got " + req.get("gc_horizon"));
      }
      horizon = req.get("gc_horizon").asLong();
    }
    return reply(api.doGc(tenant, timeline, horizon), 200, r -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("layers_total", r.layersTotal());
      m.put("layers_needed_by_cutoff", r.layersNeededByCutoff());
      m.put("layers_needed_by_pitr", 0);
      m.put("layers_needed_by_branches", r.layersNeededByBranches());
      m.put("layers_not_updated", 0);
      m.put("layers_removed", r.layersRemoved());
      m.put("elapsed", r.elapsedMillis());
      m.put("gc_cutoff_lsn", Lsn.of(r.cutoffLsn()).toString());
      return m;
    });
  }

  private Route lsnByTimestamp(String tenant, String timeline, String timestamp) {
    java.time.Instant t = Rfc3339.parse(timestamp);
    return onComplete(api.lsnByTimestamp(tenant, timeline, t), done -> {
      if (done.isFailure()) {
        PsError.Failure f = PsError.of(done.failed().get());
        return complete(Json.error(f.kind().httpStatus(), f.getMessage()));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("lsn", Lsn.of(done.get().lsn()).toString());
      m.put("kind", done.get().kind().name().toLowerCase(java.util.Locale.ROOT));
      return complete(Json.ok(m));
    });
  }

  private static Map<String, Object> tenantJson(String id) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("state", "Active");
    m.put("attachment_status", "attached");
    return m;
  }

  private Map<String, Object> attachedJson(String tenant, long generation) {
    Map<String, Object> m = tenantJson(tenant);
    m.put("generation", generation);
    m.put("timelines", api.timelines(tenant).stream().map(PageserverRoutes::json).toList());
    return m;
  }

  private Route createTenant(String body) {
    JsonNode req = parse(body);
    String id = req.hasNonNull("new_tenant_id") ? req.get("new_tenant_id").asText() : null;
    return reply(api.createTenant(id, req.get("config")), 201, created -> Map.of("id", created));
  }

  private Route createTimeline(String tenant, String body) {
    JsonNode req = parse(body);
    String id = req.hasNonNull("new_timeline_id") ? req.get("new_timeline_id").asText() : null;
    String name = req.hasNonNull("name") ? req.get("name").asText() : null;
    if (name != null && (name.isBlank() || name.matches("[0-9a-f]{32}"))) {
      throw new IllegalArgumentException("timeline name '" + name + "' must be non-empty and not look like a timeline id");
    }
    Integer pgVersion = req.hasNonNull("pg_version") ? req.get("pg_version").asInt() : null;
    Path importDir = req.hasNonNull("import_pgdata") ? Path.of(req.get("import_pgdata").asText()) : null;
    String ancestor = req.hasNonNull("ancestor_timeline_id") ? req.get("ancestor_timeline_id").asText() : null;
    Long ancestorLsn = req.hasNonNull("ancestor_start_lsn") ? Lsn.parse(req.get("ancestor_start_lsn").asText()).value() : null;
    int modes = (pgVersion != null ? 1 : 0) + (importDir != null ? 1 : 0) + (ancestor != null ? 1 : 0);
    if (modes != 1) {
      throw new IllegalArgumentException("a timeline is created from exactly one of pg_version (bootstrap), import_pgdata or "
          + "ancestor_timeline_id (branch)");
    }
    if (pgVersion != null && pgVersion != 15 && pgVersion / 10000 != 15) {
      throw new IllegalArgumentException("pg_version " + pgVersion + " is not supported: only PostgreSQL 15");
    }
    return reply(api.createTimeline(tenant, id, name, pgVersion, importDir, ancestor, ancestorLsn), 201, PageserverRoutes::json);
  }

  private <T> Route reply(java.util.concurrent.CompletionStage<TenantManager.Result<T>> answer, int status, Function<T, Object> body) {
    return onSuccess(answer, r -> r.failure() != null ? complete(Json.error(r.failure().kind().httpStatus(), r.failure().getMessage()))
        : complete(Json.response(StatusCodes.get(status), body.apply(r.value()))));
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body.isBlank() ? "{}" : body);
      if (!n.isObject()) throw new IllegalArgumentException("request body must be a JSON object");
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
  }

  static Map<String, Object> json(TimelineInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant_id", i.tenantId());
    m.put("timeline_id", i.timelineId());
    m.put("name", i.name());
    m.put("ancestor_timeline_id", i.ancestorTimelineId());
    m.put("ancestor_lsn", i.ancestorTimelineId() == null ? null : Lsn.of(i.ancestorLsn()).toString());
    m.put("last_record_lsn", Lsn.of(i.lastRecordLsn()).toString());
    m.put("prev_record_lsn", Lsn.of(i.prevRecordLsn()).toString());
    m.put("disk_consistent_lsn", Lsn.of(i.diskConsistentLsn()).toString());
    m.put("remote_consistent_lsn", Lsn.of(i.remoteConsistentLsn()).toString());
    m.put("initdb_lsn", Lsn.of(i.initdbLsn()).toString());
    m.put("latest_gc_cutoff_lsn", Lsn.of(i.gcCutoffLsn()).toString());
    m.put("current_logical_size", i.currentLogicalSize());
    m.put("current_physical_size", i.currentPhysicalSize());
    m.put("pg_version", i.pgVersion());
    m.put("state", i.state());
    m.put("walreceiver_status", i.walReceiver());
    return m;
  }
}
