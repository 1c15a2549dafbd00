package app.http;

import actors.safekeeper.SafekeeperApi;
import actors.safekeeper.TimelineId;
import actors.safekeeper.TimelineStatus;
import actors.safekeeper.Timelines;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import wire.xlog.Lsn;

/** The safekeeper's JSON API (safekeeper.md appendix A): status, timeline create/get/list/delete, metrics. */
final class SafekeeperRoutes extends AllDirectives {
  private final SafekeeperApi api;

  SafekeeperRoutes(SafekeeperApi api) {
    this.api = api;
  }

  Route routes() {
    return Json.withErrors(concat(
        path(PathMatchers.segment("v1").slash("status"), () -> get(() ->
            complete(Json.ok(Map.of("id", Long.toUnsignedString(api.nodeId())))))),
        path(PathMatchers.segment("v1").slash("gossip"), () -> get(() -> onSuccess(api.gossip(), all -> complete(Json.ok(all))))),
        path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, api.metrics()))))),
        path(PathMatchers.segment("v1").slash("tenant").slash("timeline"), () -> concat(
            post(() -> entity(akka.http.javadsl.unmarshalling.Unmarshaller.entityToString(), this::create)),
            get(() -> onSuccess(api.list(), all -> complete(Json.ok(all.stream().map(SafekeeperRoutes::json).toList())))))),
        path(PathMatchers.segment("v1").slash("tenant").slash(PathMatchers.segment()).slash("timeline").slash(PathMatchers.segment()),
            (t, tl) -> {
              TimelineId id = new TimelineId(t, tl);
              return concat(
                  get(() -> onSuccess(api.status(id), s -> complete(s.status().map(st -> Json.ok(json(st)))
                      .orElseGet(() -> Json.error(s.failure().orElseThrow().kind().httpStatus(), s.failure().orElseThrow().message()))))),
                  delete(() -> onSuccess(api.delete(id), d -> complete(d.failure()
                      .map(f -> Json.error(f.kind().httpStatus(), f.message()))
                      .orElseGet(() -> Json.ok(Map.of("dir_existed", d.existed())))))));
            })));
  }

  private Route create(String body) {
    JsonNode req;
    try {
      req = Json.MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return complete(Json.error(400, "malformed JSON: " + e.getOriginalMessage()));
    }
    TimelineId id = new TimelineId(text(req, "tenant_id"), text(req, "timeline_id"));
    int pgVersion = req.path("pg_version").asInt(150000);
    if (pgVersion / 10000 != 15) throw new IllegalArgumentException("pg_version " + pgVersion + " is not PostgreSQL 15");
    long systemId = Long.parseUnsignedLong(req.path("system_id").asText("0"));
    int segSize = req.path("wal_seg_size").asInt((int) Lsn.DEFAULT_SEGMENT_SIZE);
    if (Integer.bitCount(segSize) != 1 || segSize < (1 << 20)) {
      throw new IllegalArgumentException("wal_seg_size " + segSize + " is not a power of two of at least 1 MiB");
    }
    Lsn start = Lsn.parse(text(req, "start_lsn"));
    CompletionStage<Timelines.Resolved> created = api.create(id, new Timelines.Creation(pgVersion, systemId, segSize), start);
    return onSuccess(created, r -> {
      if (r instanceof Timelines.NotFound nf) return complete(Json.error(nf.failure().kind().httpStatus(), nf.failure().message()));
      boolean fresh = ((Timelines.Found) r).created();
      return onSuccess(api.status(id), s -> complete(Json.response(fresh ? StatusCodes.CREATED : StatusCodes.OK,
          s.status().map(SafekeeperRoutes::json).orElse(Map.of()))));
    });
  }

  private static String text(JsonNode req, String field) {
    JsonNode v = req.get(field);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException("field " + field + " is missing or not a string");
    return v.asText();
  }

  static Map<String, Object> json(TimelineStatus s) {
    Map<String, Object> acceptor = new LinkedHashMap<>();
    acceptor.put("term", Long.toUnsignedString(s.term()));
    acceptor.put("epoch", Long.toUnsignedString(s.lastLogTerm()));
    List<Map<String, String>> history = s.termHistory().entries().stream()
        .map(e -> Map.of("term", Long.toUnsignedString(e.term()), "lsn", e.lsn().toString())).toList();
    acceptor.put("term_history", history);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenant_id", s.tenantId());
    out.put("timeline_id", s.timelineId());
    out.put("acceptor_state", acceptor);
    out.put("pg_info", Map.of("pg_version", s.pgVersion(), "system_id", Long.toUnsignedString(s.systemId()),
        "wal_seg_size", s.walSegSize()));
    out.put("flush_lsn", s.flushLsn().toString());
    out.put("commit_lsn", s.commitLsn().toString());
    out.put("backup_lsn", s.backupLsn().toString());
    out.put("remote_consistent_lsn", s.remoteConsistentLsn().toString());
    out.put("peer_horizon_lsn", s.peerHorizonLsn().toString());
    out.put("timeline_start_lsn", s.timelineStartLsn().toString());
    out.put("local_start_lsn", s.localStartLsn().toString());
    return out;
  }
}
