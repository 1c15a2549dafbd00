package wire.pgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import testkit.PostgresFixture;

/** pg_xact and relation paths as a real PostgreSQL 15 writes them. */
class PgDataGoldenTest {
  /** The one all-digit line of psql's output (command tags such as BEGIN are skipped). */
  private static int number(String psqlOutput) {
    return Integer.parseInt(psqlOutput.lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
  }

  @Test
  void clogStatusesAndRelationPathsMatchARealCluster() throws Exception {
    try (PostgresFixture pg = PostgresFixture.builder().start()) {
      pg.psql("create table t(x int)");
      int committed = number(pg.psql("insert into t values (1) returning txid_current()"));
      int aborted = number(pg.psql("begin; select txid_current(); rollback;"));
      String tablePath = pg.psql("select pg_relation_filepath('t')").trim();
      String dbOid = pg.psql("select oid from pg_database where datname = 'postgres'").trim();
      String relfilenode = pg.psql("select relfilenode from pg_class where relname = 't'").trim();
      String sharedPath = pg.psql("select pg_relation_filepath('pg_database')").trim();
      pg.stop("fast");

      byte[] segment = Files.readAllBytes(pg.dataDir().resolve(Clog.fileName(Slru.segmentOf(Clog.pageOf(committed)))));
      byte[] page = java.util.Arrays.copyOfRange(segment, Slru.pageInSegment(Clog.pageOf(committed)) * 8192,
          (Slru.pageInSegment(Clog.pageOf(committed)) + 1) * 8192);
      assertEquals(Clog.Status.COMMITTED, Clog.status(page, committed));
      assertEquals(Clog.Status.ABORTED, Clog.status(page, aborted));
      assertEquals(Clog.Status.IN_PROGRESS, Clog.status(page, aborted + 1));

      RelFilePath table = RelFilePath.parse(tablePath);
      assertEquals(new RelTag(RelTag.DEFAULT_TABLESPACE_OID, Integer.parseInt(dbOid), Integer.parseInt(relfilenode),
          ForkNumber.MAIN), table.rel());
      assertEquals(RelTag.GLOBAL_TABLESPACE_OID, RelFilePath.parse(sharedPath).rel().spcNode());
      assertEquals(true, Files.exists(pg.dataDir().resolve(new RelFilePath(table.rel().withFork(ForkNumber.MAIN), 0).format())));
    }
  }
}
