package store.pgdatadir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import wire.WireFormatException;
import wire.keyspace.Directories.Db;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;

/** Test helper: what a stopped data directory holds, read straight from its files, to compare with storage. */
record DataDirFiles(Map<RelTag, Long> relationBlocks, Map<Db, byte[]> relmaps, Map<SlruKind, Map<Integer, Integer>> slru,
    Map<Integer, byte[]> twoPhase) {

  static DataDirFiles read(Path dir) {
    Map<RelTag, Long> rels = new TreeMap<>(DataDirFiles::compare);
    Map<Db, byte[]> relmaps = new TreeMap<>();
    scan(dir.resolve("global"), "global/", new Db(RelTag.GLOBAL_TABLESPACE_OID, 0), rels, relmaps);
    for (Path db : list(dir.resolve("base"))) {
      String name = db.getFileName().toString();
      scan(db, "base/" + name + "/", new Db(RelTag.DEFAULT_TABLESPACE_OID, (int) Long.parseLong(name)), rels, relmaps);
    }
    Map<SlruKind, Map<Integer, Integer>> slru = new TreeMap<>();
    for (SlruKind kind : SlruKind.values()) {
      Map<Integer, Integer> segs = new TreeMap<>();
      for (Path f : list(dir.resolve(kind.dir()))) {
        int segno = Slru.parseSegment(f.getFileName().toString());
        if (segno >= 0) segs.put(segno, (int) (size(f) / 8192));
      }
      slru.put(kind, segs);
    }
    Map<Integer, byte[]> twoPhase = new TreeMap<>(Integer::compareUnsigned);
    for (Path f : list(dir.resolve("pg_twophase"))) {
      byte[] b = bytes(f);
      twoPhase.put((int) Long.parseLong(f.getFileName().toString(), 16), Arrays.copyOf(b, b.length - 4));
    }
    return new DataDirFiles(rels, relmaps, slru, twoPhase);
  }

  private static void scan(Path dbDir, String prefix, Db db, Map<RelTag, Long> rels, Map<Db, byte[]> relmaps) {
    for (Path f : list(dbDir)) {
      String name = f.getFileName().toString();
      if (name.equals("pg_filenode.map")) {
        relmaps.put(db, bytes(f));
        continue;
      }
      RelFilePath p;
      try {
        p = RelFilePath.parse(prefix + name);
      } catch (WireFormatException e) {
        continue;
      }
      rels.merge(p.rel(), p.firstBlock() + size(f) / 8192, Math::max);
    }
  }

  /** Relation forks in a file order: by database, relation, fork. */
  static int compare(RelTag a, RelTag b) {
    int c = Integer.compareUnsigned(a.spcNode(), b.spcNode());
    if (c == 0) c = Integer.compareUnsigned(a.dbNode(), b.dbNode());
    if (c == 0) c = Integer.compareUnsigned(a.relNode(), b.relNode());
    return c != 0 ? c : a.fork().compareTo(b.fork());
  }

  static RelTag rel(int spc, int db, int rel, int fork) {
    return new RelTag(spc, db, rel, ForkNumber.ofNumber(fork));
  }

  static Path[] list(Path dir) {
    if (!Files.isDirectory(dir)) return new Path[0];
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toArray(Path[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
