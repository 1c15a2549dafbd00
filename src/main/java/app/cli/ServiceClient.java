package app.cli;

import app.Failure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A service's JSON HTTP API as the command line uses it (the pageserver's, a compute's): JSON in,
 * JSON out, an error reply as a failure carrying its message.
 */
final class ServiceClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String service;
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The service could not be reached at all (nothing listens, or the connection broke). */
  static final class Unreachable extends Failure {
    Unreachable(String message) {
      super(message);
    }
  }

  /** The service answered 404: the thing asked for does not exist there. */
  static final class NotFound extends Failure {
    NotFound(String message) {
      super(message);
    }
  }

  /** {@code service} names it in messages: "pageserver", "compute main". */
  ServiceClient(String service, String base) {
    this.service = service;
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  static ServiceClient pageserver(String base) {
    return new ServiceClient("pageserver", base);
  }

  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  JsonNode post(String path, Object body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(write(body))));
  }

  /** A POST without a body (a command such as a compute's /terminate). */
  JsonNode post(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  JsonNode put(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.noBody()));
  }

  JsonNode delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  private JsonNode send(HttpRequest.Builder req) {
    HttpRequest r = req.timeout(Duration.ofMinutes(10)).build();
    HttpResponse<String> resp;
    try {
      resp = http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unreachable(service + " at " + base + " is not reachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted talking to the " + service + " at " + base);
    }
    JsonNode body;
    try {
      body = resp.body().isBlank() ? JSON.nullNode() : JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new Failure(service + " answered " + r.method() + " " + r.uri().getPath() + " with " + resp.statusCode() + " and no JSON");
    }
    if (resp.statusCode() >= 300) {
      String msg = body.path("msg").asText(resp.body());
      if (resp.statusCode() == 404) throw new NotFound(msg);
      throw new Failure(msg);
    }
    return body;
  }

  private static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
