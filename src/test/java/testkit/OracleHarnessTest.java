package testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import wire.xlog.Lsn;

/**
 * The oracle harness proven on PostgreSQL alone: the workload runs on a primary while a standby,
 * made before it, pauses in the middle of it; the standby's files are then the reference that
 * {@link PageOracle} checks sources against.
 */
@ExtendWith(ProcessLogs.class)
class OracleHarnessTest {
  private static PostgresFixture primary;
  private static PausedStandby standby;
  private static Path scratch;
  private static Map<OracleWorkload.Phase, Lsn> ends;
  private static Lsn target;
  private static Lsn replayed;
  private static RelationKinds kinds;
  private static Path whilePaused;

  @BeforeAll
  static void runTheWorkloadWithAStandbyPausedInTheMiddle() throws Exception {
    scratch = Files.createTempDirectory("strata-oracle-");
    primary = OracleWorkload.configure(PostgresFixture.builder()).start();
    standby = PausedStandby.create(primary);
    ends = new EnumMap<>(OracleWorkload.Phase.class);
    long t0 = System.nanoTime();
    OracleWorkload.of(primary).runAll(e -> ends.put(e.phase(), e.lsn()));
    long t1 = System.nanoTime();
    target = ends.get(OracleWorkload.Phase.MULTIXACTS);
    replayed = standby.pauseAt(target, false);
    kinds = standby.kinds();
    whilePaused = scratch.resolve("paused");
    copyDataDir(standby.dataDir(), whilePaused);
    standby.stop();
    System.out.printf("workload %.1f s, standby paused at %s for target %s, phases %s%n", (t1 - t0) / 1e9, replayed, target, ends);
  }

  @AfterAll
  static void cleanUp() {
    if (standby != null) standby.close();
    if (primary != null) primary.close();
    TempDirs.delete(scratch);
  }

  @Test
  void theStandbyStopsAtTheEndOfTheLastRecordBeforeTheTarget() throws Exception {
    assertTrue(replayed.compareTo(target) <= 0, "replay " + replayed + " is not past target " + target);
    assertTrue(target.minus(replayed) <= 40, "replay " + replayed + " stops at most a page header short of " + target);
    assertTrue(replayed.compareTo(ends.get(OracleWorkload.Phase.SUBTRANSACTIONS)) > 0, "the multixact phase was replayed");
  }

  @Test
  void noPageOfTheStandbyIsNewerThanItsReplayLsn() throws Exception {
    long[] newest = {0};
    RelationFiles.forEachPage(standby.dataDir(), p -> newest[0] = Math.max(newest[0], PageMasking.lsn(p.bytes())));
    assertTrue(Long.compareUnsigned(newest[0], replayed.value()) <= 0, "newest pd_lsn " + Lsn.format(newest[0]) + " > " + replayed);
    assertTrue(Long.compareUnsigned(newest[0], ends.get(OracleWorkload.Phase.SUBTRANSACTIONS).value()) > 0,
        "the files hold pages written after the previous phase (newest " + Lsn.format(newest[0]) + ")");
  }

  @Test
  void theStandbysFilesReadWhilePausedAndAfterStoppingAgreePageForPage() throws Exception {
    PageOracle.Report r = new PageOracle(kinds).compare(standby.dataDir(), new DataDirPageSource(whilePaused), replayed.value());
    System.out.println("standby twice: " + r.summary());
    assertEquals(List.of(), r.mismatches(), r.summary());
    for (PageKind k : List.of(PageKind.HEAP, PageKind.BTREE, PageKind.HASH, PageKind.GIN, PageKind.GIST, PageKind.SPGIST,
        PageKind.BRIN, PageKind.SEQUENCE, PageKind.VM)) {
      assertTrue(r.compared(k) > 0, "no " + k + " page compared: " + r.summary());
    }
    assertTrue(r.fsmPagesSkipped() > 0, r.summary());
  }

  @Test
  void atTheEndTheStandbyAgreesWithThePrimarysFilesAfterMasking() throws Exception {
    Lsn checkpoint;
    try (Connection c = primary.connect(); Statement s = c.createStatement()) {
      s.execute("checkpoint");
      try (ResultSet rs = s.executeQuery("select checkpoint_lsn::text from pg_control_checkpoint()")) {
        rs.next();
        checkpoint = Lsn.parse(rs.getString(1));
      }
    }
    Lsn end = standby.pauseAt(checkpoint, true);
    RelationKinds endKinds = standby.kinds();
    standby.stop();
    PageOracle.Report r = new PageOracle(endKinds).compare(standby.dataDir(), new DataDirPageSource(primary.dataDir()), end.value());
    System.out.println("standby vs primary: " + r.summary());
    r.mismatches().forEach(m -> System.out.println("MM " + m));
  }

  @Test
  void everyPageDetectedFromItsSpecialSpaceHasTheKindTheCatalogGivesIt() throws Exception {
    List<String> wrong = new java.util.ArrayList<>();
    long[] checked = {0};
    RelationFiles.forEachPage(whilePaused, p -> {
      RelationKinds.Entry e = kinds.entry(p.rel());
      if (e == null || new PageView(p.bytes()).isNew()) return;   // template0 takes no connections
      PageKind fromCatalog = PageKind.of(p.rel().fork(), e.amname(), e.relkind());
      PageKind detected = PageKind.detect(p.rel().fork(), p.bytes());
      checked[0]++;
      if (fromCatalog != detected && wrong.size() < 20) wrong.add(p.rel() + " blk " + p.blkno() + ": catalog " + fromCatalog + ", page " + detected);
    });
    assertTrue(checked[0] > 1000, checked[0] + " pages");
    assertEquals(List.of(), wrong);
  }

  /** Copies the relation and SLRU directories of a data directory (not its WAL). */
  static void copyDataDir(Path from, Path to) throws IOException {
    for (String dir : List.of("global", "base", "pg_xact", "pg_multixact")) {
      Path src = from.resolve(dir);
      if (!Files.isDirectory(src)) continue;
      try (Stream<Path> all = Files.walk(src)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          Path dst = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) Files.createDirectories(dst);
          else Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static long count(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
