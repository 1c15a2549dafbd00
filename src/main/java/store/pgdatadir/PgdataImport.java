package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import store.layer.KeyValue;
import store.pgdatadir.ImportRefused.Reason;
import wire.WireFormatException;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.ControlFile;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;

/**
 * Imports a cleanly shut-down PostgreSQL 15 data directory (pageserver.md §1.4, §3.6): every file
 * becomes images at the checkpoint's redo LSN — pg_control and its checkpoint, relmaps, every fork of
 * every relation (all 1 GiB segments), the CLOG and multixact SLRUs, twophase state files and the
 * directories listing them — streamed to a sink in batches. Then the shutdown checkpoint record in
 * pg_wal goes through {@link WalIngest}, which gives the timeline its last and previous record LSNs.
 * Refuses, saying why, a directory that was not shut down cleanly, is not PostgreSQL 15, has data
 * checksums other than the tenant's, or uses tablespaces.
 */
public final class PgdataImport {
  public static final int PG_VERSION = 15;
  public static final int CATALOG_VERSION = 202209061;
  private static final int PAGE_SIZE = 8192;
  private static final int READ_PAGES = 64;

  private final Path dir;
  private final boolean tenantChecksums;
  private long batchBytes = 8L << 20;

  /** {@code tenantChecksums}: whether the tenant's pages carry data checksums (pg_control must agree). */
  public PgdataImport(Path dataDir, boolean tenantChecksums) {
    this.dir = dataDir;
    this.tenantChecksums = tenantChecksums;
  }

  /** Bytes of page images per batch handed to the sink (default 8 MiB). */
  public PgdataImport batchBytes(long bytes) {
    this.batchBytes = bytes;
    return this;
  }

  /** Where the values go, opened once the directory passed its checks and its redo LSN is known. */
  @FunctionalInterface
  public interface SinkOpener {
    Consumer<List<KeyValue>> open(long redoLsn) throws IOException;
  }

  /** Checks the directory, streams its values to {@code sink}, ingests the shutdown checkpoint record. */
  public ImportResult run(Consumer<List<KeyValue>> sink) throws IOException, ImportRefused {
    return run(redo -> sink);
  }

  /** The same, with a sink made for the redo LSN (a store that must know its first LSN up front). */
  public ImportResult run(SinkOpener opener) throws IOException, ImportRefused {
    checkVersionFile(dir.resolve("PG_VERSION"), "PG_VERSION");
    byte[] controlBytes = readRequired(dir.resolve("global/pg_control"), "global/pg_control");
    ControlFile control = checkControlFile(controlBytes);
    long redo = control.checkPointCopy().redo().value();
    refuseTablespaces();

    ImportWriter out = new ImportWriter(opener.open(redo), redo, batchBytes);
    out.metadata(Key.controlFile(), controlBytes);
    out.metadata(Key.checkpoint(), control.checkPointCopy().encode());
    List<String> ignored = new ArrayList<>();
    importRelations(out, ignored);
    for (SlruKind kind : SlruKind.values()) importSlru(out, kind);
    importTwoPhase(out);
    out.finish();

    ImportWal.Ingested wal = ImportWal.ingestShutdownCheckpoint(dir, control, out);
    return new ImportResult(control.checkPointCopy().redo(), wal.end(), wal.start(), PG_VERSION,
        control.systemIdentifier(), wal.logicalSizeBlocks(), wal.checkpoint(), out.relationForks(),
        out.slruSegmentCount(), out.twoPhaseCount(), out.written(), ignored);
  }

  private ControlFile checkControlFile(byte[] bytes) throws ImportRefused {
    ControlFile control;
    try {
      control = ControlFile.decode(bytes);
    } catch (WireFormatException e) {
      Reason reason = e.field().equals("pg_control_version") ? Reason.NOT_POSTGRES_15 : Reason.CORRUPT;
      throw new ImportRefused(reason, dir, "global/pg_control: " + e.getMessage());
    }
    if (control.catalogVersionNo() != CATALOG_VERSION) {
      throw new ImportRefused(Reason.NOT_POSTGRES_15, dir, "pg_control catalog version is " + control.catalogVersionNo()
          + ", PostgreSQL 15 has " + CATALOG_VERSION);
    }
    if (control.state() != ControlFile.DbState.SHUTDOWNED) {
      throw new ImportRefused(Reason.NOT_SHUT_DOWN_CLEANLY, dir, "it was not shut down cleanly: pg_control state is "
          + control.state() + ", expected SHUTDOWNED");
    }
    if (!control.checkPoint().equals(control.checkPointCopy().redo())) {
      throw new ImportRefused(Reason.NOT_SHUT_DOWN_CLEANLY, dir, "its last checkpoint at " + control.checkPoint()
          + " has redo " + control.checkPointCopy().redo() + ": not a shutdown checkpoint");
    }
    boolean dirChecksums = control.dataChecksumVersion() != 0;
    if (dirChecksums != tenantChecksums) {
      throw new ImportRefused(Reason.CHECKSUMS_MISMATCH, dir, "data checksums are " + (dirChecksums ? "on" : "off")
          + " (pg_control data_checksum_version " + control.dataChecksumVersion() + ") while the tenant has them "
          + (tenantChecksums ? "on" : "off"));
    }
    return control;
  }

  private void checkVersionFile(Path file, String name) throws IOException, ImportRefused {
    String text = new String(readRequired(file, name), StandardCharsets.US_ASCII).trim();
    if (!text.equals(Integer.toString(PG_VERSION))) {
      throw new ImportRefused(Reason.NOT_POSTGRES_15, dir, name + " says '" + text + "', expected " + PG_VERSION);
    }
  }

  private byte[] readRequired(Path file, String name) throws IOException, ImportRefused {
    if (!Files.isRegularFile(file)) throw new ImportRefused(Reason.CORRUPT, dir, name + " is missing: not a data directory");
    return Files.readAllBytes(file);
  }

  private void refuseTablespaces() throws IOException, ImportRefused {
    Path tblspc = dir.resolve("pg_tblspc");
    if (!Files.isDirectory(tblspc)) return;
    try (Stream<Path> s = Files.list(tblspc)) {
      List<Path> found = s.toList();
      if (!found.isEmpty()) {
        throw new ImportRefused(Reason.UNSUPPORTED, dir, "tablespaces are not supported: pg_tblspc/" + found.get(0).getFileName());
      }
    }
  }

  // --- relations ---

  private void importRelations(ImportWriter out, List<String> ignored) throws IOException, ImportRefused {
    Map<RelTag, TreeMap<Integer, Path>> segments = new TreeMap<>(PgdataImport::compareRel);
    Path global = dir.resolve("global");
    scanDatabaseDir(out, global, "global/", RelTag.GLOBAL_TABLESPACE_OID, 0, segments, ignored);
    Path base = dir.resolve("base");
    try (Stream<Path> s = Files.list(base)) {
      for (Path dbDir : s.sorted().toList()) {
        String name = dbDir.getFileName().toString();
        if (!Files.isDirectory(dbDir) || !name.matches("[1-9][0-9]{0,9}") || Long.parseLong(name) > 0xFFFFFFFFL) {
          ignored.add("base/" + name);
          continue;
        }
        int db = (int) Long.parseLong(name);
        out.database(RelTag.DEFAULT_TABLESPACE_OID, db);
        scanDatabaseDir(out, dbDir, "base/" + name + "/", RelTag.DEFAULT_TABLESPACE_OID, db, segments, ignored);
      }
    }
    for (Map.Entry<RelTag, TreeMap<Integer, Path>> e : segments.entrySet()) importRelation(out, e.getKey(), e.getValue());
  }

  /** Sorts a database directory's files: relation segments to import, the relmap, PG_VERSION, the rest ignored. */
  private void scanDatabaseDir(ImportWriter out, Path dbDir, String prefix, int spc, int db,
      Map<RelTag, TreeMap<Integer, Path>> segments, List<String> ignored) throws IOException, ImportRefused {
    boolean hasVersion = false;
    byte[] relmap = null;
    try (Stream<Path> s = Files.list(dbDir)) {
      for (Path f : s.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.equals("PG_VERSION")) {
          checkVersionFile(f, prefix + name);
          hasVersion = true;
        } else if (name.equals("pg_filenode.map")) {
          relmap = Files.readAllBytes(f);
        } else if (name.equals("pg_control")) {
          continue; // read first, on its own
        } else {
          RelFilePath path = parseRelFile(prefix + name);
          if (path == null || !Files.isRegularFile(f)) {
            ignored.add(prefix + name);
            continue;
          }
          segments.computeIfAbsent(path.rel(), r -> new TreeMap<>()).put(path.segno(), f);
        }
      }
    }
    if (relmap != null) {
      if (spc != RelTag.GLOBAL_TABLESPACE_OID && !hasVersion) {
        throw new ImportRefused(Reason.CORRUPT, dir, prefix + "PG_VERSION is missing beside " + prefix + "pg_filenode.map");
      }
      out.relmap(spc, db, relmap);
    }
  }

  private static RelFilePath parseRelFile(String path) {
    try {
      return RelFilePath.parse(path);
    } catch (WireFormatException e) {
      return null; // temporary relations (t3_16384), pg_internal.init and the like
    }
  }

  /** Every segment but the last must be full; each page becomes an image. */
  private void importRelation(ImportWriter out, RelTag rel, TreeMap<Integer, Path> segs) throws IOException, ImportRefused {
    int lastSeg = segs.lastKey();
    long nblocks = 0;
    for (int segno = 0; segno <= lastSeg; segno++) {
      Path f = segs.get(segno);
      String name = new RelFilePath(rel, segno).format();
      if (f == null) throw new ImportRefused(Reason.CORRUPT, dir, name + " is missing but segment " + lastSeg + " exists");
      long size = Files.size(f);
      if (size % PAGE_SIZE != 0) throw new ImportRefused(Reason.CORRUPT, dir, name + " is " + size + " bytes, not whole pages");
      long pages = size / PAGE_SIZE;
      if (pages > RelFilePath.BLOCKS_PER_SEGMENT || (segno < lastSeg && pages != RelFilePath.BLOCKS_PER_SEGMENT)) {
        throw new ImportRefused(Reason.CORRUPT, dir, name + " has " + pages + " pages; a segment before the last has "
            + RelFilePath.BLOCKS_PER_SEGMENT);
      }
      long first = (long) segno * RelFilePath.BLOCKS_PER_SEGMENT;
      readPages(f, pages, (i, page) -> out.page(Key.relBlock(rel, (int) (first + i)), page));
      nblocks = first + pages;
    }
    out.relation(rel, (int) nblocks);
  }

  // --- SLRUs and prepared transactions ---

  private void importSlru(ImportWriter out, SlruKind kind) throws IOException, ImportRefused {
    Path slruDir = dir.resolve(kind.dir());
    if (!Files.isDirectory(slruDir)) return;
    try (Stream<Path> s = Files.list(slruDir)) {
      for (Path f : s.sorted().toList()) {
        int segno = Slru.parseSegment(f.getFileName().toString());
        if (segno < 0) continue;
        long size = Files.size(f);
        String name = kind.dir() + "/" + f.getFileName();
        if (size % PAGE_SIZE != 0 || size > (long) Slru.PAGES_PER_SEGMENT * PAGE_SIZE) {
          throw new ImportRefused(Reason.CORRUPT, dir, name + " is " + size + " bytes, not up to "
              + Slru.PAGES_PER_SEGMENT + " whole pages");
        }
        int pages = (int) (size / PAGE_SIZE);
        readPages(f, pages, (i, page) -> out.page(Key.slruBlock(kind, segno, (int) i), page));
        out.slruSegment(kind, segno, pages);
      }
    }
  }

  /** pg_twophase/XXXXXXXX: the state file's body is stored, after its trailing CRC-32C is checked. */
  private void importTwoPhase(ImportWriter out) throws IOException, ImportRefused {
    Path twoPhaseDir = dir.resolve("pg_twophase");
    if (!Files.isDirectory(twoPhaseDir)) return;
    try (Stream<Path> s = Files.list(twoPhaseDir)) {
      for (Path f : s.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.matches("[0-9A-F]{8}")) continue;
        byte[] file = Files.readAllBytes(f);
        if (file.length < 4) throw new ImportRefused(Reason.CORRUPT, dir, "pg_twophase/" + name + " is " + file.length + " bytes");
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        int stored = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(file.length - 4);
        if (stored != (int) crc.getValue()) {
          throw new ImportRefused(Reason.CORRUPT, dir, "pg_twophase/" + name + " fails its CRC");
        }
        out.twoPhase((int) Long.parseLong(name, 16), java.util.Arrays.copyOf(file, file.length - 4));
      }
    }
  }

  private interface PageConsumer {
    void accept(long index, byte[] page);
  }

  /** Reads a file's pages a few at a time, handing each to {@code consumer} as its own array. */
  private static void readPages(Path f, long pages, PageConsumer consumer) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(READ_PAGES * PAGE_SIZE);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      long done = 0;
      while (done < pages) {
        int n = (int) Math.min(READ_PAGES, pages - done);
        buf.clear().limit(n * PAGE_SIZE);
        while (buf.hasRemaining()) {
          if (ch.read(buf, done * PAGE_SIZE + buf.position()) < 0) throw new IOException(f + " shrank while being read");
        }
        for (int i = 0; i < n; i++) {
          byte[] page = new byte[PAGE_SIZE];
          buf.get(i * PAGE_SIZE, page);
          consumer.accept(done + i, page);
        }
        done += n;
      }
    }
  }

  private static int compareRel(RelTag a, RelTag b) {
    int c = Integer.compareUnsigned(a.spcNode(), b.spcNode());
    if (c == 0) c = Integer.compareUnsigned(a.dbNode(), b.dbNode());
    if (c == 0) c = Integer.compareUnsigned(a.relNode(), b.relNode());
    return c != 0 ? c : a.fork().compareTo(b.fork());
  }
}
