package actors.node;

import actors.pageserver.PageserverApi;
import actors.compute.ComputeApi;
import actors.safekeeper.SafekeeperApi;
import akka.http.javadsl.server.Route;

/** The JSON HTTP API of each role, supplied by the app layer (routes are edges; roles own the state). */
public interface RoleHttp {
  Route safekeeper(SafekeeperApi api);

  Route pageserver(PageserverApi api);

  Route compute(ComputeApi api);
}
