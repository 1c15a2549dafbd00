package app.http;

import actors.compute.ComputeApi;
import actors.compute.ComputeNode;
import actors.compute.TerminationMode;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compute's JSON API (compute.md A.5, the routes Strata serves): GET /status, POST /configure,
 * POST /terminate?mode=fast|immediate, POST /refresh_configuration, GET /metrics.json, GET /metrics.
 */
final class ComputeRoutes extends AllDirectives {
  private final ComputeApi api;

  ComputeRoutes(ComputeApi api) {
    this.api = api;
  }

  Route routes() {
    return Json.withErrors(concat(
        path("status", () -> get(() -> onSuccess(api.status(), s -> complete(Json.ok(status(s)))))),
        path("configure", () -> post(() -> entity(Unmarshaller.entityToString(), body ->
            onSuccess(api.configure(body), r -> complete(configured(r)))))),
        path("terminate", () -> post(() -> parameterOptional("mode", mode -> {
          TerminationMode m = TerminationMode.parse(mode.orElse("fast"));
          return onSuccess(api.terminate(m), r -> complete(terminated(r)));
        }))),
        path("refresh_configuration", () -> post(() -> onSuccess(api.refreshConfiguration(), r -> complete(refreshed(r))))),
        path("metrics.json", () -> get(() -> onSuccess(api.startupMetrics(), s -> complete(Json.ok(s.json()))))),
        path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, api.prometheus())))))));
  }

  private static HttpResponse configured(ComputeNode.ConfigureReply r) {
    if (r instanceof ComputeNode.Refused f) return Json.error(f.httpStatus(), f.message());
    return Json.ok(status(((ComputeNode.Configured) r).status()));
  }

  private static HttpResponse terminated(ComputeNode.TerminateReply r) {
    if (r instanceof ComputeNode.Refused f) return Json.error(f.httpStatus(), f.message());
    ComputeNode.Stopped s = (ComputeNode.Stopped) r;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("lsn", s.lsn().map(Object::toString).orElse(null));
    return Json.response(s.already() ? StatusCodes.CREATED : StatusCodes.OK, body);
  }

  private static HttpResponse refreshed(ComputeNode.RefreshReply r) {
    if (r instanceof ComputeNode.Refused f) return Json.error(f.httpStatus(), f.message());
    return Json.ok(Map.of("status", ((ComputeNode.RefreshAccepted) r).state().json()));
  }

  static Map<String, Object> status(ComputeNode.Status s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("start_time", s.startTime().toString());
    out.put("tenant", s.tenantId().orElse(null));
    out.put("timeline", s.timelineId().orElse(null));
    out.put("mode", s.mode().orElse(null));
    out.put("status", s.state().json());
    out.put("last_active", s.lastActive().map(Instant::toString).orElse(null));
    out.put("error", s.error().orElse(null));
    out.put("history", s.history().stream().map(t -> Map.of("status", t.state().json(), "at", t.at().toString())).toList());
    return out;
  }
}
