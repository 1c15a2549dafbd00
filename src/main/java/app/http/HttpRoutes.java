package app.http;

import actors.compute.ComputeApi;
import actors.node.RoleHttp;
import actors.pageserver.PageserverApi;
import actors.safekeeper.SafekeeperApi;
import akka.http.javadsl.server.Route;

/** Every role's JSON API. */
public final class HttpRoutes implements RoleHttp {
  @Override
  public Route safekeeper(SafekeeperApi api) {
    return new SafekeeperRoutes(api).routes();
  }

  @Override
  public Route pageserver(PageserverApi api) {
    return new PageserverRoutes(api).routes();
  }

  @Override
  public Route compute(ComputeApi api) {
    return new ComputeRoutes(api).routes();
  }
}
