package testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import wire.WireFormatException;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;

/**
 * The relation fork files and SLRU segments of a PostgreSQL data directory, read as 8 KiB pages:
 * {@code global/*}, {@code base/<db>/*} and {@code pg_tblspc/...}, with their {@code .1 .2 ...}
 * segments. Files that are not relation forks (PG_VERSION, pg_filenode.map, pg_internal.init,
 * temporary relations) are left out. The directory must not change while it is read.
 */
public final class RelationFiles {
  public static final int PAGE = PageView.SIZE;

  /** One relation fork on disk: its size in blocks and its segment files in order. */
  public record Fork(RelTag rel, int nblocks, List<Path> segments) {
    public Fork {
      segments = List.copyOf(segments);
    }
  }

  /** One block of a relation fork. */
  public record Page(RelTag rel, int blkno, byte[] bytes) {}

  /** One page of an SLRU segment file; {@code page} counts from 0 within the segment. */
  public record SlruPage(SlruKind kind, int segno, int page, byte[] bytes) {}

  private RelationFiles() {}

  /** Every relation fork of the data directory, ordered by tablespace, database, relfilenode, fork. */
  public static List<Fork> forks(Path dataDir) throws IOException {
    Map<RelTag, TreeMap<Integer, Path>> found = new TreeMap<>(RelationFiles::compareTags);
    for (Path dir : databaseDirectories(dataDir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (!Files.isRegularFile(f)) continue;
          RelFilePath p;
          try {
            p = RelFilePath.parse(dataDir.relativize(f).toString().replace('\\', '/'));
          } catch (WireFormatException notARelation) {
            continue;
          }
          found.computeIfAbsent(p.rel(), k -> new TreeMap<>()).put(p.segno(), f);
        }
      }
    }
    List<Fork> out = new ArrayList<>();
    for (Map.Entry<RelTag, TreeMap<Integer, Path>> e : found.entrySet()) {
      TreeMap<Integer, Path> segs = e.getValue();
      int last = segs.lastKey();
      long blocks = (long) last * RelFilePath.BLOCKS_PER_SEGMENT + Files.size(segs.get(last)) / PAGE;
      out.add(new Fork(e.getKey(), (int) blocks, new ArrayList<>(segs.values())));
    }
    return out;
  }

  /** The fork of {@code rel} on disk, or null when it has no file. */
  public static Fork fork(Path dataDir, RelTag rel) throws IOException {
    Path first = dataDir.resolve(new RelFilePath(rel, 0).format());
    if (!Files.exists(first)) return null;
    List<Path> segs = new ArrayList<>();
    for (int seg = 0; ; seg++) {
      Path p = dataDir.resolve(new RelFilePath(rel, seg).format());
      if (!Files.exists(p)) break;
      segs.add(p);
    }
    long blocks = (long) (segs.size() - 1) * RelFilePath.BLOCKS_PER_SEGMENT + Files.size(segs.get(segs.size() - 1)) / PAGE;
    return new Fork(rel, (int) blocks, segs);
  }

  /** Blocks {@code from .. from+count-1} of a fork, read across segment boundaries. */
  public static List<byte[]> readBlocks(Path dataDir, RelTag rel, int from, int count) throws IOException {
    List<byte[]> out = new ArrayList<>(count);
    FileChannel open = null;
    int openSeg = -1;
    try {
      for (int i = 0; i < count; i++) {
        RelFilePath where = RelFilePath.ofBlock(rel, from + i);
        if (where.segno() != openSeg) {
          if (open != null) open.close();
          Path file = dataDir.resolve(where.format());
          if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "block " + (from + i) + " of " + rel);
          open = FileChannel.open(file, StandardOpenOption.READ);
          openSeg = where.segno();
        }
        ByteBuffer page = ByteBuffer.allocate(PAGE);
        long pos = (Integer.toUnsignedLong(from + i) - where.firstBlock()) * PAGE;
        while (page.hasRemaining()) {
          if (open.read(page, pos + page.position()) < 0) {
            throw new IOException(rel + " block " + (from + i) + " lies past the end of " + where.format());
          }
        }
        out.add(page.array());
      }
    } finally {
      if (open != null) open.close();
    }
    return out;
  }

  /** Every block of every relation fork, fork by fork, in block order. */
  public static void forEachPage(Path dataDir, Consumer<Page> visitor) throws IOException {
    for (Fork f : forks(dataDir)) {
      for (int from = 0; from < f.nblocks(); from += 256) {
        int n = Math.min(256, f.nblocks() - from);
        List<byte[]> pages = readBlocks(dataDir, f.rel(), from, n);
        for (int i = 0; i < n; i++) visitor.accept(new Page(f.rel(), from + i, pages.get(i)));
      }
    }
  }

  /** Every page of the CLOG and multixact SLRU segments, by kind, segment and page. */
  public static List<SlruPage> slruPages(Path dataDir) throws IOException {
    List<SlruPage> out = new ArrayList<>();
    for (SlruKind kind : SlruKind.values()) {
      for (Map.Entry<Integer, Path> seg : slruSegments(dataDir, kind).entrySet()) {
        byte[] bytes = Files.readAllBytes(seg.getValue());
        for (int p = 0; p < bytes.length / PAGE; p++) {
          out.add(new SlruPage(kind, seg.getKey(), p, java.util.Arrays.copyOfRange(bytes, p * PAGE, (p + 1) * PAGE)));
        }
      }
    }
    return out;
  }

  /** The segment files of one SLRU by segment number. */
  public static TreeMap<Integer, Path> slruSegments(Path dataDir, SlruKind kind) throws IOException {
    TreeMap<Integer, Path> out = new TreeMap<>();
    Path dir = dataDir.resolve(slruDirectory(kind));
    if (!Files.isDirectory(dir)) return out;
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> {
        int segno = Slru.parseSegment(f.getFileName().toString());
        if (segno >= 0) out.put(segno, f);
      });
    }
    return out;
  }

  /** Where an SLRU lives in a data directory. */
  public static String slruDirectory(SlruKind kind) {
    switch (kind) {
      case CLOG: return "pg_xact";
      case MULTIXACT_MEMBERS: return "pg_multixact/members";
      case MULTIXACT_OFFSETS: return "pg_multixact/offsets";
      default: throw new IllegalArgumentException("unknown SLRU " + kind);
    }
  }

  private static List<Path> databaseDirectories(Path dataDir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(dataDir.resolve("global"))) throw new NoSuchFileException(dataDir + "/global", null, "not a data directory");
    dirs.add(dataDir.resolve("global"));
    dirs.addAll(subdirectories(dataDir.resolve("base")));
    for (Path spc : subdirectories(dataDir.resolve("pg_tblspc"))) {
      dirs.addAll(subdirectories(spc.resolve(RelFilePath.TABLESPACE_VERSION_DIRECTORY)));
    }
    return dirs;
  }

  private static List<Path> subdirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static int compareTags(RelTag a, RelTag b) {
    int c = Integer.compareUnsigned(a.spcNode(), b.spcNode());
    if (c == 0) c = Integer.compareUnsigned(a.dbNode(), b.dbNode());
    if (c == 0) c = Integer.compareUnsigned(a.relNode(), b.relNode());
    return c != 0 ? c : a.fork().compareTo(b.fork());
  }
}
