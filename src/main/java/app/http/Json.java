package app.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;

/** JSON in and out for the roles' HTTP APIs; every error is {@code {"msg": …}} with a status. */
public final class Json extends AllDirectives {
  public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  public static HttpResponse response(StatusCode status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + body.getClass().getSimpleName(), e);
    }
  }

  public static HttpResponse ok(Object body) {
    return response(StatusCodes.OK, body);
  }

  public static HttpResponse error(int status, String message) {
    return response(StatusCodes.get(status), Map.of("msg", message));
  }

  /** Bad JSON or an unexpected exception become a JSON error naming the problem, never an HTML page. */
  public static Route withErrors(Route inner) {
    Json d = new Json();
    ExceptionHandler exceptions = ExceptionHandler.newBuilder()
        .match(IllegalArgumentException.class, e -> d.complete(error(400, e.getMessage())))
        .match(JsonProcessingException.class, e -> d.complete(error(400, "malformed JSON: " + e.getOriginalMessage())))
        .matchAny(e -> d.complete(error(500, e.getClass().getSimpleName() + ": " + e.getMessage())))
        .build();
    return d.handleExceptions(exceptions, () -> d.handleRejections(RejectionHandler.defaultHandler(), () -> inner));
  }

  static <T> T read(String body, Class<T> type) throws JsonProcessingException {
    return MAPPER.readValue(body, type);
  }

}
