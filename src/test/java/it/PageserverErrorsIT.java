package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PagestreamClient;
import testkit.ProcessLogs;
import testkit.StorageCluster;
import testkit.TempDirs;
import wire.pagestream.PagestreamResponse;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/**
 * Bad requests get an error that names what was wrong, and the pageserver keeps serving: unknown
 * tenant or timeline, an LSN it does not reach within the wait timeout, a relation or block that
 * does not exist, a malformed pagestream message, and bad HTTP requests.
 */
@ExtendWith(ProcessLogs.class)
class PageserverErrorsIT {
  private static final String TENANT = "9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e";
  private static final String TIMELINE = "af0faf0faf0faf0faf0faf0faf0faf0f";
  /** pg_class of database "postgres" right after initdb: relfilenode = OID 1259. */
  private static final RelTag PG_CLASS = new RelTag(1663, 5, 1259, ForkNumber.MAIN);

  @Test
  void badRequestsGetMessagesAndThePageserverKeepsServing() throws Exception {
    Path root = Files.createTempDirectory("strata-ps-errors-it-");
    try (StorageCluster cluster = new StorageCluster(root).withPageserverConfig("strata.pageserver.wait-lsn-timeout", "2s").start()) {
      cluster.post("/v1/tenant", Map.of("new_tenant_id", TENANT), 201);
      var info = cluster.post("/v1/tenant/" + TENANT + "/timeline", Map.of("new_timeline_id", TIMELINE, "pg_version", 15), 201);
      Lsn last = Lsn.parse(info.path("last_record_lsn").asText());
      assertEquals(409, cluster.raw("POST", "/v1/tenant/" + TENANT + "/timeline",
          "{\"new_timeline_id\": \"" + TIMELINE + "\", \"pg_version\": 15}").statusCode());
      var unknown = cluster.raw("GET", "/v1/tenant/" + TENANT + "/timeline/00000000000000000000000000000001", null);
      assertEquals(404, unknown.statusCode());
      assertTrue(unknown.body().contains("does not exist"), unknown.body());
      assertEquals(400, cluster.raw("POST", "/v1/tenant", "{not json").statusCode());
      assertEquals(400, cluster.raw("POST", "/v1/tenant/" + TENANT + "/timeline", "{\"import_pgdata\": \"/nonexistent\", "
          + "\"pg_version\": 15}").statusCode());

      PagestreamClient.ServerError noTenant = assertThrows(PagestreamClient.ServerError.class, () -> PagestreamClient.open(
          cluster.pageserverPgPort, PagestreamClient.Startup.of("t"), "0123456789abcdef0123456789abcdef", TIMELINE));
      assertTrue(noTenant.getMessage().contains("tenant 0123456789abcdef0123456789abcdef does not exist"), noTenant.getMessage());
      PagestreamClient.ServerError noTimeline = assertThrows(PagestreamClient.ServerError.class, () -> PagestreamClient.open(
          cluster.pageserverPgPort, PagestreamClient.Startup.of("t"), TENANT, "0123456789abcdef0123456789abcdef"));
      assertTrue(noTimeline.getMessage().contains("timeline 0123456789abcdef0123456789abcdef"), noTimeline.getMessage());

      try (PagestreamClient c = PagestreamClient.open(cluster.pageserverPgPort, PagestreamClient.Startup.of("t"), TENANT, TIMELINE)) {
        int nblocks = c.nblocks(PG_CLASS, last);
        assertTrue(nblocks > 0, "pg_class has blocks");
        assertEquals(8192, c.getPage(PG_CLASS, 0, last).length);

        var future = assertThrows(PagestreamClient.ServerError.class, () -> c.getPage(PG_CLASS, 0, last.plus(1 << 20)));
        assertTrue(future.getMessage().contains("timed out after 2 s waiting for timeline"), future.getMessage());
        var noRel = assertThrows(PagestreamClient.ServerError.class, () -> c.nblocks(new RelTag(1663, 5, 999999, ForkNumber.MAIN), last));
        assertTrue(noRel.getMessage().contains("relation 1663/5/999999.main does not exist"), noRel.getMessage());
        var noBlock = assertThrows(PagestreamClient.ServerError.class, () -> c.getPage(PG_CLASS, nblocks + 5, last));
        assertTrue(noBlock.getMessage().contains("block " + (nblocks + 5) + " of relation 1663/5/1259.main does not exist"),
            noBlock.getMessage());
        var zero = assertThrows(PagestreamClient.ServerError.class, () -> c.getPage(PG_CLASS, 0, Lsn.INVALID));
        assertTrue(zero.getMessage().contains("request_lsn 0/0 is invalid"), zero.getMessage());

        PagestreamResponse malformed = c.sendRaw(new byte[] {9, 9, 9});
        assertTrue(malformed instanceof PagestreamResponse.Error e && e.message().contains("malformed pagestream request"),
            malformed.toString());
        assertEquals(nblocks, c.nblocks(PG_CLASS, last), "the stream still serves after every error");
      }
      assertEquals(200, cluster.raw("GET", "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE, null).statusCode());
    } finally {
      TempDirs.delete(root);
    }
  }
}
