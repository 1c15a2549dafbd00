package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testkit.PostgresFixture;
import wire.keyspace.Directories.Db;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.keyspace.Value;
import wire.pgdata.CheckPoint;
import wire.pgdata.ControlFile;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/** Import of a data directory that initdb made (cleanly stopped), compared file by file; and the refusals. */
class PgdataImportTest {
  private static PostgresFixture pg;
  private static MemoryStore store;
  private static ImportResult result;
  private static ControlFile control;

  @BeforeAll
  static void importInitdb() throws Exception {
    pg = PostgresFixture.builder().initOnly().start();
    control = ControlFile.decode(Files.readAllBytes(pg.dataDir().resolve("global/pg_control")));
    store = new MemoryStore();
    result = new PgdataImport(pg.dataDir(), false).batchBytes(1 << 20).run(store);
  }

  @AfterAll
  static void stop() {
    if (pg != null) pg.close();
  }

  @Test
  void resultNamesTheCheckpointRecordAndTheCluster() {
    assertEquals(control.checkPointCopy().redo(), result.initdbLsn());
    assertEquals(control.checkPoint(), result.prevRecordLsn(), "prev = start of the shutdown checkpoint record");
    assertEquals(result.prevRecordLsn().plus(114).maxAlign(), result.lastRecordLsn(), "a checkpoint record is 114 bytes");
    assertEquals(15, result.pgVersion());
    assertEquals(control.systemIdentifier(), result.systemId());
    assertTrue(store.batches > 2, "pages were streamed in batches, not all at once: " + store.batches);
    assertEquals(store.puts, result.valuesWritten());
  }

  @Test
  void everyRelationFileIsStoredPageForPageWithItsSize() throws Exception {
    DataDirFiles files = DataDirFiles.read(pg.dataDir());
    Datadir at = store.at(result.lastRecordLsn());
    assertEquals(sorted(new ArrayList<>(files.relationBlocks().keySet())), sorted(at.relations()));
    long blocks = 0;
    for (Map.Entry<RelTag, Long> e : files.relationBlocks().entrySet()) {
      RelTag rel = e.getKey();
      assertEquals(e.getValue().intValue(), at.relSizeOrMinusOne(rel), rel.toString());
      blocks += e.getValue();
      byte[] file = Files.readAllBytes(pg.dataDir().resolve(new RelFilePath(rel, 0).format()));
      for (int b = 0; b < e.getValue(); b++) {
        byte[] page = at.get(Key.relBlock(rel, b));
        assertNotNull(page, rel + " block " + b);
        assertArrayEquals(java.util.Arrays.copyOfRange(file, b * 8192, (b + 1) * 8192), page, rel + " block " + b);
      }
    }
    assertEquals(blocks, result.logicalSizeBlocks());
    assertEquals(files.relationBlocks().size(), result.relationForks());
  }

  @Test
  void databasesAndRelmapsAreTheDirectoriesAndMapFiles() throws Exception {
    DataDirFiles files = DataDirFiles.read(pg.dataDir());
    Datadir at = store.at(result.lastRecordLsn());
    Map<Db, Boolean> expected = new TreeMap<>();
    for (Db db : files.relmaps().keySet()) expected.put(db, true);
    assertEquals(expected, at.dbDirectory().dbs());
    assertTrue(expected.containsKey(new Db(RelTag.GLOBAL_TABLESPACE_OID, 0)));
    assertEquals(1 + DataDirFiles.list(pg.dataDir().resolve("base")).length, expected.size(), "base/* and global");
    for (Map.Entry<Db, byte[]> e : files.relmaps().entrySet()) {
      assertArrayEquals(e.getValue(), at.relmap(e.getKey().spcNode(), e.getKey().dbNode()), e.getKey().toString());
    }
  }

  @Test
  void slruSegmentsAreTheFiles() throws Exception {
    DataDirFiles files = DataDirFiles.read(pg.dataDir());
    Datadir at = store.at(result.lastRecordLsn());
    int segments = 0;
    for (SlruKind kind : SlruKind.values()) {
      Map<Integer, Integer> expected = files.slru().get(kind);
      assertEquals(expected.keySet(), at.slruSegments(kind).numbers(), kind.toString());
      for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
        assertEquals(e.getValue(), at.slruSegmentSize(kind, e.getKey()), kind + " segment " + e.getKey());
        byte[] file = Files.readAllBytes(pg.dataDir().resolve(wire.pgdata.Slru.fileName(kind.dir(), e.getKey())));
        for (int p = 0; p < e.getValue(); p++) {
          assertArrayEquals(java.util.Arrays.copyOfRange(file, p * 8192, (p + 1) * 8192), at.slruPage(kind, e.getKey(), p));
        }
        segments++;
      }
    }
    assertTrue(files.slru().get(SlruKind.CLOG).size() > 0);
    assertEquals(segments, result.slruSegments());
    assertTrue(at.twoPhaseXids().numbers().isEmpty());
  }

  @Test
  void controlFileAndCheckpointAreStoredAtRedoThenTheRecordMovesRedoToItsEnd() throws Exception {
    byte[] file = Files.readAllBytes(pg.dataDir().resolve("global/pg_control"));
    assertArrayEquals(file, store.at(result.initdbLsn()).controlFile());
    assertArrayEquals(control.checkPointCopy().encode(), store.at(result.initdbLsn()).checkpoint());
    CheckPoint after = CheckPoint.decode(store.at(result.lastRecordLsn()).checkpoint());
    CheckPoint c = control.checkPointCopy();
    CheckPoint expected = new CheckPoint(result.lastRecordLsn(), c.thisTimeLineId(), c.prevTimeLineId(), c.fullPageWrites(),
        c.nextXid(), c.nextOid(), c.nextMulti(), c.nextMultiOffset(), c.oldestXid(), c.oldestXidDb(), c.oldestMulti(),
        c.oldestMultiDb(), c.time(), c.oldestCommitTsXid(), c.newestCommitTsXid(), c.nextXidValue());
    assertEquals(expected, after, "the shutdown record sets redo to its end and oldestActiveXid to nextXid (nothing prepared)");
    assertEquals(after, result.checkpoint());
    // exactly one value after the files: the Checkpoint key at the end of the record
    List<Key> late = new ArrayList<>();
    store.data.forEach((k, v) -> {
      if (v.lastKey() != result.initdbLsn().value()) late.add(k);
    });
    assertEquals(List.of(Key.checkpoint()), late);
    assertTrue(store.data.get(Key.checkpoint()).lastEntry().getValue() instanceof Value.Image);
  }

  /**
   * A relation past 1 GiB: a full first segment (sparse) and a second one. Its pages stream through
   * in batches of the configured size; none is kept. A missing middle segment is refused.
   */
  @Test
  void relationsLargerThanOneSegmentAreStreamedInBatches(@TempDir Path tmp) throws Exception {
    Path copy = copyDataDir(tmp.resolve("pgdata"));
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(copy.resolve("base/5/99999").toFile(), "rw")) {
      f.setLength(RelFilePath.BLOCKS_PER_SEGMENT * 8192L);
    }
    Files.write(copy.resolve("base/5/99999.1"), new byte[2 * 8192]);
    RelTag big = new RelTag(RelTag.DEFAULT_TABLESPACE_OID, 5, 99999, wire.pgdata.ForkNumber.MAIN);
    long[] seen = new long[3]; // pages of the big relation, largest batch in bytes, its size value
    new PgdataImport(copy, false).batchBytes(1 << 20).run(batch -> {
      long bytes = 0;
      for (store.layer.KeyValue kv : batch) {
        bytes += ((Value.Image) kv.value()).bytes().length;
        if (kv.key().isRelBlock() && kv.key().relTag().equals(big)) seen[0]++;
        if (kv.key().equals(Key.relSize(big))) seen[2] = wire.keyspace.Directories.decodeSize(((Value.Image) kv.value()).bytes());
      }
      seen[1] = Math.max(seen[1], bytes);
    });
    assertEquals(RelFilePath.BLOCKS_PER_SEGMENT + 2, seen[0]);
    assertEquals(RelFilePath.BLOCKS_PER_SEGMENT + 2, seen[2]);
    assertTrue(seen[1] <= (1 << 20) + 8192, "largest batch " + seen[1] + " bytes");

    Files.move(copy.resolve("base/5/99999.1"), copy.resolve("base/5/99999.2"));
    ImportRefused e = assertThrows(ImportRefused.class, () -> new PgdataImport(copy, false).run(kv -> {}));
    assertEquals(ImportRefused.Reason.CORRUPT, e.reason());
    assertTrue(e.getMessage().contains("base/5/99999.1 is missing but segment 2 exists"), e.getMessage());
  }

  private static Path copyDataDir(Path to) throws Exception {
    try (java.util.stream.Stream<Path> files = Files.walk(pg.dataDir())) {
      for (Path f : files.toList()) {
        Path target = to.resolve(pg.dataDir().relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(target);
        else Files.copy(f, target);
      }
    }
    return to;
  }

  // --- refusals: a data directory with only PG_VERSION and pg_control is enough to reach each check ---

  @Test
  void refusesADirectoryThatWasNotShutDownCleanly() throws Exception {
    try (PostgresFixture crashed = PostgresFixture.builder().start()) {
      crashed.psql("create table t as select 1 as x");
      crashed.stop("immediate");
      ImportRefused e = assertThrows(ImportRefused.class, () -> new PgdataImport(crashed.dataDir(), false).run(kv -> {}));
      assertEquals(ImportRefused.Reason.NOT_SHUT_DOWN_CLEANLY, e.reason());
      assertTrue(e.getMessage().contains("state is IN_PRODUCTION"), e.getMessage());
    }
  }

  @Test
  void refusesAnotherPostgresVersion(@TempDir Path dir) throws Exception {
    Path d = minimal(dir, control);
    Files.writeString(d.resolve("PG_VERSION"), "14\n");
    ImportRefused e = assertThrows(ImportRefused.class, () -> new PgdataImport(d, false).run(kv -> {}));
    assertEquals(ImportRefused.Reason.NOT_POSTGRES_15, e.reason());
    assertTrue(e.getMessage().contains("PG_VERSION says '14'"), e.getMessage());

    Path d2 = minimal(dir.resolve("catalog"), withCatalogVersion(control, 202107181));
    ImportRefused e2 = assertThrows(ImportRefused.class, () -> new PgdataImport(d2, false).run(kv -> {}));
    assertEquals(ImportRefused.Reason.NOT_POSTGRES_15, e2.reason());
    assertTrue(e2.getMessage().contains("catalog version is 202107181"), e2.getMessage());
  }

  @Test
  void refusesDataChecksumsTheTenantDoesNotHave(@TempDir Path dir) throws Exception {
    Path on = minimal(dir.resolve("on"), withChecksums(control, 1));
    ImportRefused e = assertThrows(ImportRefused.class, () -> new PgdataImport(on, false).run(kv -> {}));
    assertEquals(ImportRefused.Reason.CHECKSUMS_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("data checksums are on (pg_control data_checksum_version 1) while the tenant has them off"),
        e.getMessage());
    Path off = minimal(dir.resolve("off"), control);
    ImportRefused e2 = assertThrows(ImportRefused.class, () -> new PgdataImport(off, true).run(kv -> {}));
    assertEquals(ImportRefused.Reason.CHECKSUMS_MISMATCH, e2.reason());
  }

  private static Path minimal(Path dir, ControlFile cf) throws Exception {
    Files.createDirectories(dir.resolve("global"));
    Files.writeString(dir.resolve("PG_VERSION"), "15\n");
    Files.write(dir.resolve("global/pg_control"), cf.encode());
    return dir;
  }

  private static ControlFile withCatalogVersion(ControlFile c, int catalog) {
    return new ControlFile(c.systemIdentifier(), c.pgControlVersion(), catalog, c.state(), c.time(), c.checkPoint(),
        c.checkPointCopy(), c.unloggedLsn(), c.minRecoveryPoint(), c.minRecoveryPointTli(), c.backupStartPoint(),
        c.backupEndPoint(), c.backupEndRequired(), c.settings(), c.build(), c.dataChecksumVersion(),
        c.mockAuthenticationNonce());
  }

  private static ControlFile withChecksums(ControlFile c, int version) {
    return new ControlFile(c.systemIdentifier(), c.pgControlVersion(), c.catalogVersionNo(), c.state(), c.time(),
        c.checkPoint(), c.checkPointCopy(), c.unloggedLsn(), c.minRecoveryPoint(), c.minRecoveryPointTli(),
        c.backupStartPoint(), c.backupEndPoint(), c.backupEndRequired(), c.settings(), c.build(), version,
        c.mockAuthenticationNonce());
  }

  private static TreeSet<RelTag> sorted(List<RelTag> rels) {
    TreeSet<RelTag> s = new TreeSet<>(DataDirFiles::compare);
    s.addAll(rels);
    return s;
  }
}
